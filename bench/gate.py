"""What the one gate costs a socket per message: `python bench/gate.py`.

Every incoming socket message now checks the session (policies.session_is_current), and the
forum socket asks the gate (policies.may_see_network_content, after forgetting cached answers)
before every send. This seeds a network, a member who accepted its agreement and a signed-in
session in a separate PostgreSQL database (default
postgres://postgres@127.0.0.1:5432/confide_bench_gate, or BENCH_DATABASE_URL), then prints the
query count and the median and p95 time of each check, and of the gate as a list filter.
"""

import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/confide_bench_gate"
)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "500"))

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
os.environ.pop("REDIS_URL", None)


def ensure_database():
    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True, env=os.environ
    )


def seed():
    from django.test import Client

    from community import services
    from community.models import Network, User

    network = Network.objects.filter(slug="bench-gate").first()
    if network is None:
        network = services.create_network(
            actor=None, name="Bench network", slug="bench-gate", agreement="Stays here."
        )
    user, _ = User.objects.get_or_create(
        username="bench-gate-member", defaults={"email": "bench-gate@trust.nhs.example"}
    )
    services.add_member(actor=None, network=network, user=user)
    services.accept_agreement(actor=user, network=network)
    client = Client()
    client.force_login(user)
    return user, network, client.cookies["sessionid"].value


def measure(label, check):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert check()
    for _ in range(20):
        check()
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        check()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95)]
    print(
        f"{label:<44} {len(queries.captured_queries)} queries  "
        f"median {statistics.median(times):.2f} ms  p95 {p95:.2f} ms"
    )


def main():
    ensure_database()
    import django

    django.setup()
    from community import policies

    user, network, session_key = seed()

    def gate():
        policies.forget_cached_permissions(user)
        return policies.may_see_network_content(user, network)

    def as_list():
        return policies.networks_open_to(user).filter(pk=network.pk).exists()

    print(f"{ROUNDS} rounds each, PostgreSQL, one process")
    measure(
        "session check (every incoming message)",
        lambda: policies.session_is_current(user, session_key),
    )
    measure("gate, cache forgotten (forum socket per send)", gate)
    measure("gate as a queryset (lists, search)", as_list)


if __name__ == "__main__":
    main()
