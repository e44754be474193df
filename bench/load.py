"""Load against the production shape (bin/serve-multi: two daphne processes, PostgreSQL, Redis).

Prints throughput, median and p95 per kind of request, error rate, memory per process, and how
many idle WebSocket connections one daphne process holds with its memory per connection.

    .venv/bin/python bench/load.py [--seconds 30] [--users 40] [--idle 1000] [--live 200]

It creates its own database (confide_bench_load) and Redis prefix; nothing else is touched.
Traffic goes only to 127.0.0.1.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
DB = "postgres://postgres@127.0.0.1:5432/confide_bench_load"
ENV = {
    **os.environ,
    "DATABASE_URL": DB,
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CHANNELS_PREFIX": "bench-load",
    # Production mode, over plain HTTP on loopback.
    "DEBUG": "0",
    "SECRET_KEY": "bench-load-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SERVE_STATIC": "1",
    "LOG_LEVEL": "WARNING",
    "DB_POOL_MAX": "10",
}
PORTS = (8101, 8102)


def manage(*args):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def prepare(users):
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-qc",
            "DROP DATABASE IF EXISTS confide_bench_load WITH (FORCE)",
        ],
        check=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE confide_bench_load"],
        check=True,
    )
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    # Sessions for `users` members of the learning network, made in one go.
    script = f"""
import json
from django.test import Client
from community import demo, services
from community.models import Network
from tests.factories import make_user
network = Network.objects.get(slug="learning")
cookies = []
for i in range({users}):
    user = make_user(display_name=f"Bench member {{i}}")
    services.add_member(actor=None, network=network, user=user)
    services.accept_agreement(actor=user, network=network)
    client = Client()
    client.force_login(user)
    cookies.append(client.cookies["sessionid"].value)
print(json.dumps(cookies))
"""
    return json.loads(manage("shell", "-c", script).strip().splitlines()[-1])


def start_servers():
    processes = []
    for port in PORTS:
        processes.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "daphne",
                    "-v",
                    "0",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "community.asgi:application",
                ],
                cwd=ROOT,
                env=ENV,
            )
        )
    processes.append(
        subprocess.Popen(
            [PY, "manage.py", "db_worker"],
            cwd=ROOT,
            env={**ENV, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    for port in PORTS:
        for _ in range(100):
            try:
                subprocess.run(
                    ["curl", "-sf", f"http://127.0.0.1:{port}/healthz"],
                    check=True,
                    capture_output=True,
                )
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
    return processes


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def http_get(reader_writer_cache, port, path, cookie):
    """A tiny keep-alive HTTP/1.1 client (stdlib only), one connection per simulated user."""
    key = (port, cookie)
    if key not in reader_writer_cache:
        reader_writer_cache[key] = await asyncio.open_connection("127.0.0.1", port)
    reader, writer = reader_writer_cache[key]
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={cookie}\r\n"
        "Connection: keep-alive\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return status


# Kinds of request in the mix: (name, path, weight). Apps add theirs as they land.
MIX = [
    ("home", "/", 3),
    ("network home", "/networks/learning/", 4),
    ("notifications", "/notifications/", 2),
]


async def page_mix(cookies, seconds):
    samples = {name: [] for name, _, _ in MIX}
    errors = {name: 0 for name, _, _ in MIX}
    weighted = [entry for entry in MIX for _ in range(entry[2])]
    deadline = time.monotonic() + seconds

    async def user(i, cookie):
        connections = {}
        port = PORTS[i % len(PORTS)]
        n = i
        while time.monotonic() < deadline:
            name, path, _ = weighted[n % len(weighted)]
            n += 7
            started = time.perf_counter()
            try:
                status = await http_get(connections, port, path, cookie)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                connections.clear()
                status = 599
            samples[name].append((time.perf_counter() - started) * 1000)
            if status >= 400:
                errors[name] += 1
        for _, writer in connections.values():
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(user(i, c) for i, c in enumerate(cookies)))
    elapsed = time.monotonic() - started
    return samples, errors, elapsed


async def idle_sockets(cookies, count, port):
    sockets = []
    for i in range(count):
        sockets.append(
            await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/notifications/",
                additional_headers={
                    "Cookie": f"sessionid={cookies[i % len(cookies)]}",
                    "Origin": f"http://127.0.0.1:{port}",
                },
                open_timeout=30,
                ping_interval=None,
            )
        )
        await sockets[-1].recv()
    return sockets


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(args):
    print(f"preparing database and {args.users} members ...", flush=True)
    cookies = prepare(args.users)
    processes = start_servers()
    daphnes = processes[: len(PORTS)]
    try:
        base_rss = [rss_mb(p.pid) for p in daphnes]
        print(
            f"\npage mix: {args.users} members for {args.seconds} s over {len(PORTS)} daphne "
            "processes"
        )
        samples, errors, elapsed = await page_mix(cookies, args.seconds)
        total = sum(len(v) for v in samples.values())
        print(f"{'kind':18} {'requests':>9} {'median ms':>10} {'p95 ms':>8} {'errors':>7}")
        for name, values in samples.items():
            if values:
                print(
                    f"{name:18} {len(values):9d} {statistics.median(values):10.1f} "
                    f"{percentile(values, 0.95):8.1f} {errors[name]:7d}"
                )
        error_rate = sum(errors.values()) / max(total, 1)
        print(f"throughput {total / elapsed:.0f} requests/s, error rate {error_rate:.2%}")
        print(
            "memory per daphne process after the mix: "
            + ", ".join(f"{rss_mb(p.pid):.0f} MB" for p in daphnes)
            + f" (at start {', '.join(f'{m:.0f}' for m in base_rss)} MB)"
        )

        print(f"\nidle WebSockets on one daphne process (port {PORTS[0]}):")
        before = rss_mb(daphnes[0].pid)
        started = time.monotonic()
        sockets = await idle_sockets(cookies, args.idle, PORTS[0])
        await asyncio.sleep(2)
        after = rss_mb(daphnes[0].pid)
        alive = sum(1 for s in sockets if s.state.name == "OPEN")
        print(
            f"{alive} of {args.idle} open after {time.monotonic() - started:.1f} s; "
            f"memory {before:.0f} MB -> {after:.0f} MB, "
            f"{(after - before) * 1024 / max(alive, 1):.1f} KB per connection"
        )
        await asyncio.gather(*(s.close() for s in sockets))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--idle", type=int, default=1000)
    asyncio.run(main(parser.parse_args()))
