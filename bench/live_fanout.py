"""Live-session fan-out: our consumer against a bare relay on the same channel layer.

    createdb -h 127.0.0.1 -U postgres confide_live_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/confide_live_bench \
    REDIS_URL=redis://127.0.0.1:6379/0 CHANNELS_PREFIX=livebench \
    .venv/bin/python bench/live_fanout.py [--clients 50 100 200] [--rate 20] [--seconds 10] \
        [--layer core|pubsub] [--sweep 20 40 60 80] [--processes 2]

Starts two daphne processes (`--processes N`) for each application (ours: confide.asgi, with
the session cookie, policy, database write and log row per message; the relay:
bench/live_relay.py, no auth and no database), connects N `websockets` clients split across
the processes to one session, sends chat at a fixed total rate from the clients in turn, and
prints delivery latency (median, p99, max), deliveries per second and lost deliveries for
both, with the ratios ours/relay; per client, how many messages were lost, duplicated or out
of order (by our sequence number; by sending order for the relay, which numbers nothing); and
resident memory per connection. `--sweep` raises the rate with the largest client count and
reports where our p99 passes 500 ms.
"""

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

MARK = re.compile(r"bench-(\d+)-(\d+)")


def setup_django(layer):
    # Production mode (DEBUG off) for the bench process and the daphne processes alike; they
    # share the secret key so the session cookies made here sign in there.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-for-live-fanout-0123456789")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE",
        "bench.live_pubsub_settings" if layer == "pubsub" else "confide.settings",
    )
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class World:
    """A network, a facilitator and enough members; a fresh registered event per run."""

    def __init__(self, size):
        from community.models import Profile
        from tests.factories import UserFactory, add_member, make_network, make_user

        stamp = int(time.time())
        self.steward = make_user(
            display_name="Bench Steward",
            username=f"bench-{stamp}-s",
            email=f"bench-{stamp}-s@x.example",
        )
        self.network = make_network(steward=self.steward, slug=f"bench-{stamp}")
        self.facilitator = add_member(
            self.network,
            make_user(
                display_name="Bench Facilitator",
                username=f"bench-{stamp}-f",
                email=f"bench-{stamp}-f@x.example",
            ),
        )
        self.members = []
        for i in range(size):
            user = UserFactory(username=f"bench-{stamp}-{i}", email=f"bench-{stamp}-{i}@x.example")
            Profile.objects.create(user=user, display_name=f"Member {i}")
            self.members.append(add_member(self.network, user))
        self.cookies = [self.cookie(u) for u in self.members]

    @staticmethod
    def cookie(user):
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    def event(self, count):
        from django.utils import timezone

        from events import services as event_services
        from events.live import services

        start = timezone.now() + timedelta(days=1)
        event = event_services.create_event(
            actor=self.steward,
            networks=[self.network],
            title="Fan-out bench",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=1000,
            facilitators=[self.facilitator],
            publish=True,
        )
        for user in self.members[:count]:
            event_services.register(actor=user, event=event)
        services.change_state(actor=self.facilitator, event=event, state="live")
        return event


def start_daphne(module, port, env):
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port), module],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    import urllib.request

    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return process
        except urllib.error.HTTPError:
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"daphne {module} on {port} did not start")


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pids):
    """Resident memory of these processes, in KiB (Linux /proc)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


async def run_load(urls, cookies, rate, seconds, ours, pids=()):
    """Connect, send `rate` messages a second for `seconds`, collect delivery latencies and,
    per client, what was lost, duplicated or out of order."""
    memory_before = rss_kib(pids)
    sockets = []
    for i, url in enumerate(urls):
        headers = {"Origin": "http://127.0.0.1"}
        if cookies:
            headers["Cookie"] = f"sessionid={cookies[i]}"
        sockets.append(await websockets.connect(url, additional_headers=headers, max_queue=None))
    sent = {}
    latencies = []
    received = [0]
    errors = []
    closed = []
    # Per client: the order key of each bench message as it arrived (our sequence number, or
    # the message's index for the relay, which numbers nothing).
    arrivals = [[] for _ in sockets]

    async def reader(socket, index):
        try:
            async for raw in socket:
                if "bench-" not in raw:
                    if raw.startswith('{"type": "error"') or raw.startswith('{"type":"error"'):
                        errors.append(raw)
                    continue
                found = MARK.search(raw)
                if found:
                    key = found.group(0)
                    at = sent.get(key)
                    if at is not None:
                        latencies.append(time.perf_counter() - at)
                        received[0] += 1
                        order = json.loads(raw)["seq"] if ours else int(found.group(1))
                        arrivals[index].append((order, key))
        except websockets.exceptions.ConnectionClosed as closing:
            closed.append(closing.rcvd.code if closing.rcvd else None)
        else:
            closed.append(socket.close_code)

    readers = [asyncio.create_task(reader(s, i)) for i, s in enumerate(sockets)]
    await asyncio.sleep(2)  # let snapshots and presence settle
    memory = rss_kib(pids) - memory_before
    total = int(rate * seconds)
    started = time.perf_counter()
    for n in range(total):
        due = started + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        key = f"bench-{n}-{int(due * 1000)}"
        socket = sockets[n % len(sockets)]
        sent[key] = time.perf_counter()
        text = json.dumps({"type": "chat.send", "text": key}) if ours else key
        await socket.send(text)
    # Drain: until every delivery is in, or nothing has arrived for 10 s, so "lost" means never
    # arrived (not merely late on a busy machine).
    expected = total * len(sockets)
    last_count, last_change = -1, time.perf_counter()
    while received[0] < expected and time.perf_counter() - last_change < 10:
        if received[0] != last_count:
            last_count, last_change = received[0], time.perf_counter()
        await asyncio.sleep(0.1)
    drained_at = last_change if received[0] < expected else time.perf_counter()
    elapsed = drained_at - started
    if errors or closed:
        print(
            f"  ({len(errors)} error frames, e.g. {errors[:1]}; {len(closed)} closed: {closed[:5]})"
        )
    for socket in sockets:
        await socket.close()
    for task in readers:
        task.cancel()
    latencies.sort()
    ms = [x * 1000 for x in latencies] or [float("nan")]
    per_client = [order_counts(seen, total) for seen in arrivals]
    return {
        "sent": total,
        "deliveries": received[0],
        "lost": expected - received[0],
        "client_lost": [c[0] for c in per_client],
        "client_dup": [c[1] for c in per_client],
        "client_ooo": [c[2] for c in per_client],
        "kib_per_connection": memory / len(sockets) if pids else None,
        "median": statistics.median(ms),
        "p99": ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        "max": ms[-1],
        "per_s": received[0] / max(elapsed, 0.001),
    }


async def run_joins(urls, cookies, everyone, over):
    """Connect len(urls) people evenly over `over` seconds; report when every client's
    presence list (snapshot, then `presence` frames) holds everyone, and frames per client."""
    clients = []
    full_at = {}

    async def client(index):
        headers = {"Origin": "http://127.0.0.1", "Cookie": f"sessionid={cookies[index]}"}
        socket = await websockets.connect(
            urls[index], additional_headers=headers, max_queue=None, open_timeout=60
        )
        clients.append(socket)
        here, frames = set(), 0
        try:
            async for raw in socket:
                message = json.loads(raw)
                if message["type"] == "snapshot":
                    here = {p["id"] for p in message["presence"]}
                elif message["type"] == "presence":
                    frames += 1
                    here -= set(message["left"])
                    here |= {p["id"] for p in message["joined"]}
                else:
                    continue
                if here >= everyone:
                    full_at[index] = time.perf_counter()
                else:
                    full_at.pop(index, None)
                presence_frames[index] = frames
        except websockets.exceptions.ConnectionClosed:
            pass

    presence_frames = {}
    tasks = []
    started = time.perf_counter()
    for index in range(len(urls)):
        due = started + over * index / len(urls)
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(client(index)))
    last_join = time.perf_counter()
    deadline = last_join + 30
    while len(full_at) < len(urls) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    converged = max(full_at.values()) - last_join if len(full_at) == len(urls) else None
    counts = list(presence_frames.values()) or [0]
    for socket in clients:
        await socket.close()
    for task in tasks:
        task.cancel()
    return {
        "connected": len(clients),
        "complete": len(full_at),
        "converged": converged,
        "frames_mean": statistics.mean(counts),
        "frames_max": max(counts),
    }


def order_counts(seen, total):
    """(lost, duplicated, out of order) for one client: messages never received, extra copies,
    and arrivals whose order key is below one already received."""
    keys = [key for _, key in seen]
    unique = set(keys)
    highest = None
    out_of_order = 0
    for order, _ in seen:
        if highest is not None and order < highest:
            out_of_order += 1
        highest = order if highest is None else max(highest, order)
    return total - len(unique), len(keys) - len(unique), out_of_order


def show(label, r):
    print(
        f"  {label:<6} median {r['median']:7.1f} ms  p99 {r['p99']:7.1f} ms  max {r['max']:7.1f} ms"
        f"  {r['per_s']:7.0f} deliveries/s  lost {r['lost']}"
    )
    for name, key in (("lost", "client_lost"), ("duplicated", "client_dup"),
                      ("out of order", "client_ooo")):  # fmt: skip
        counts = r[key]
        print(
            f"         per client {name}: total {sum(counts)}, worst client {max(counts)},"
            f" clients affected {sum(1 for c in counts if c)} of {len(counts)}"
        )
    if r["kib_per_connection"] is not None:
        print(f"         memory: {r['kib_per_connection']:.0f} KiB resident per connection")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--layer", choices=["core", "pubsub"], default="core")
    parser.add_argument("--sweep", type=float, nargs="*", default=[])
    parser.add_argument("--processes", type=int, default=2, help="daphne processes for each")
    parser.add_argument("--joins", type=int, default=0, help="people joining one session")
    parser.add_argument("--join-over", type=float, default=60, help="seconds the joins spread")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: see the docstring.")
    setup_django(args.layer)
    world = World(max([*args.clients, args.joins]))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
    }
    n = args.processes
    ports = {"ours": [free_port() for _ in range(n)], "relay": [free_port() for _ in range(n)]}
    ours_processes = [start_daphne("confide.asgi:application", p, env) for p in ports["ours"]]
    relay_processes = [start_daphne("bench.live_relay:application", p, env) for p in ports["relay"]]
    processes = ours_processes + relay_processes
    print(
        f"layer: {args.layer}; {n} daphne processes each; rate {args.rate:g} msg/s "
        f"for {args.seconds:g} s"
    )
    try:

        def run(count, rate):
            event = world.event(count)
            ours_urls = [
                f"ws://127.0.0.1:{ports['ours'][i % n]}/ws/events/{event.pk}/live/"
                for i in range(count)
            ]
            relay_urls = [f"ws://127.0.0.1:{ports['relay'][i % n]}/ws/relay/" for i in range(count)]
            ours_pids = [p.pid for p in ours_processes]
            relay_pids = [p.pid for p in relay_processes]
            ours = asyncio.run(
                run_load(ours_urls, world.cookies[:count], rate, args.seconds, True, ours_pids)
            )
            relay = asyncio.run(run_load(relay_urls, None, rate, args.seconds, False, relay_pids))
            return ours, relay

        if args.joins:
            event = world.event(args.joins)
            urls = [
                f"ws://127.0.0.1:{ports['ours'][i % n]}/ws/events/{event.pk}/live/"
                for i in range(args.joins)
            ]
            everyone = {u.pk for u in world.members[: args.joins]}
            r = asyncio.run(run_joins(urls, world.cookies, everyone, args.join_over))
            converged = "never" if r["converged"] is None else f"{r['converged']:.2f} s"
            print(
                f"{args.joins} joining over {args.join_over:g} s: {r['connected']} connected, "
                f"{r['complete']} with everyone present; presence complete for all {converged} "
                f"after the last join; presence frames per client mean {r['frames_mean']:.1f}, "
                f"max {r['frames_max']}"
            )
            return
        for count in args.clients:
            ours, relay = run(count, args.rate)
            print(f"{count} clients, {args.rate:g} msg/s:")
            show("ours", ours)
            show("relay", relay)
            print(
                f"  ratio ours/relay: median {ours['median'] / relay['median']:.2f}x, "
                f"p99 {ours['p99'] / relay['p99']:.2f}x, "
                f"deliveries/s {ours['per_s'] / relay['per_s']:.2f}x"
            )
        for rate in args.sweep:
            ours, relay = run(max(args.clients), rate)
            print(f"sweep {max(args.clients)} clients, {rate:g} msg/s:")
            show("ours", ours)
            show("relay", relay)
            if ours["p99"] > 500:
                print(f"  our p99 passes 500 ms at {rate:g} msg/s")
                break
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
