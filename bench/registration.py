"""Fire N simultaneous registrations at a running daphne on PostgreSQL and count the seats.

    .venv/bin/python bench/registration.py [--members 60] [--capacity 10] [--rounds 3]
        [--database postgres://postgres@127.0.0.1:5432/confide_bench_events] [--url URL]

Without --url it starts its own daphne (confide.asgi) on a free port against the bench
database, which it migrates and seeds once (idempotent). Each round publishes a fresh event,
signs every member in (real session cookies), releases all requests together from one thread
each, and prints registrations per second, median and p95 latency and the final counts.
"""

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/confide_bench_events"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--capacity", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--url", help="a daphne already serving the bench database")
    return parser.parse_args()


def setup_django(database):
    os.environ["DATABASE_URL"] = database
    # The same secret as the daphne it starts, so the session cookies made here are valid there.
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
    os.environ.setdefault("DB_POOL_MAX", "40")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(members_wanted):
    """A bench network with enough members and a steward; returns (steward, members)."""
    from community import services
    from community.models import Network, User

    network = Network.objects.filter(slug="bench-events").first()
    if network is None:
        network = services.create_network(
            actor=None, name="Bench events network", slug="bench-events"
        )
    steward, _ = User.objects.get_or_create(
        username="bench-steward", defaults={"email": "bench-steward@bench.example"}
    )
    services.set_steward(actor=None, network=network, user=steward, steward=True)
    members = []
    for i in range(members_wanted):
        user, created = User.objects.get_or_create(
            username=f"bench-member-{i}", defaults={"email": f"bench-member-{i}@bench.example"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            services.add_member(actor=None, network=network, user=user)
        members.append(user)
    return network, steward, members


def new_event(network, steward, capacity):
    from django.utils import timezone

    from events import services

    start = timezone.now() + timedelta(days=7)
    return services.create_event(
        actor=steward,
        networks=[network],
        title="Bench: using WRES data at board level",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        publish=True,
    )


def session_cookie(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_daphne(database):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVE_STATIC": "1",
    }
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
        + ["confide.asgi:application"],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)  # noqa: S310
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("daphne did not start")


def baseline(url, count):
    """The same number of simultaneous GET /healthz: what this machine gives any request now."""
    parts = urlsplit(url)
    barrier = threading.Barrier(count + 1)
    latencies = []

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        conn.connect()
        barrier.wait()
        started = time.perf_counter()
        conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
        conn.getresponse().read()
        latencies.append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    for thread in threads:
        thread.join()
    return statistics.median(latencies)


def fire(url, event_id, cookies):
    """One thread per member, released together; returns (wall seconds, latencies, statuses)."""
    parts = urlsplit(url)
    path = f"/events/{event_id}/register/"
    barrier = threading.Barrier(len(cookies) + 1)
    latencies, statuses = [], []
    lock = threading.Lock()

    def worker(cookie):
        token = secrets.token_hex(16)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        conn.connect()  # the TCP connection is open before the starting gun
        headers = {
            "Cookie": f"sessionid={cookie}; csrftoken={token}",
            "X-CSRFToken": token,
            "Content-Length": "0",
            "Host": parts.netloc,
            # Production settings (DEBUG=0) behind a TLS proxy, as deployed.
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{parts.netloc}",
        }
        barrier.wait()
        started = time.perf_counter()
        try:
            conn.request("POST", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError as error:
            status = repr(error)
        elapsed = time.perf_counter() - started
        conn.close()
        with lock:
            latencies.append(elapsed)
            statuses.append(status)

    threads = [threading.Thread(target=worker, args=(c,)) for c in cookies]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def main():
    args = parse_args()
    setup_django(args.database)
    from django.db import connection

    from events.models import Registration

    network, steward, members = seed(args.members)
    cookies = [session_cookie(user) for user in members[: args.members]]
    process = None
    url = args.url
    if url is None:
        process, url = start_daphne(args.database)
    print(
        f"{args.members} members, capacity {args.capacity}, {args.rounds} rounds, "
        f"daphne at {url}, database {connection.settings_dict['NAME']}"
    )
    try:
        print(
            f"baseline: {args.members} simultaneous GET /healthz, "
            f"median {baseline(url, args.members) * 1000:.0f} ms"
        )
        for round_number in range(1, args.rounds + 1):
            event = new_event(network, steward, args.capacity)
            wall, latencies, statuses = fire(url, event.pk, cookies)
            counts = {
                status: Registration.objects.filter(event=event, status=status).count()
                for status in ("confirmed", "waitlisted")
            }
            errors = Counter(s for s in statuses if s != 302)
            ordered = sorted(latencies)
            p95 = ordered[max(int(round(0.95 * len(ordered))) - 1, 0)]
            print(
                f"round {round_number}: {len(latencies) / wall:.0f} registrations/s, "
                f"median {statistics.median(latencies) * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms; "
                f"confirmed {counts['confirmed']}, waitlisted {counts['waitlisted']}, "
                f"errors {sum(errors.values())}{dict(errors) if errors else ''}"
                + (
                    ""
                    if counts["confirmed"] == min(args.capacity, args.members)
                    else "  <-- WRONG SEAT COUNT"
                )
            )
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
