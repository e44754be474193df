"""The floor: the dashboard of a member of no network, through the real middleware stack.

`python bench/floor.py [--profile N]` on PostgreSQL (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/confide_bench_floor) with production settings (DEBUG off):
prints the queries one request makes (each SQL line), then the median and p95 of REQUESTS
requests through Django's test client in this process (the whole middleware stack, templates and
context processors; no socket). With --profile, cProfile over the same requests, by cumulative
time and by own time.
"""

import cProfile
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/confide_bench_floor"
)
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["SECURE_COOKIES"] = "0"
os.environ.setdefault("USERCACHE_DIR", str(ROOT / "var" / "usercache-bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-000000000000")


def ensure_database():
    import subprocess

    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True, env=os.environ
    )


def main():
    ensure_database()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from community.models import Profile, User

    user, _ = User.objects.get_or_create(
        username="floor-member", defaults={"email": "floor-member@bench.invalid"}
    )
    Profile.objects.get_or_create(user=user, defaults={"display_name": "Floor Member"})
    client = Client()
    client.force_login(user)
    for _ in range(20):  # warm-up: imports, template loading, the connection pool
        assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    print(f"queries for one dashboard request: {len(captured.captured_queries)}")
    for query in captured.captured_queries:
        print("  ", query["sql"][:160])
    profile = "--profile" in sys.argv
    profiler = cProfile.Profile() if profile else None
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        response = client.get("/")
        if profiler:
            profiler.disable()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    print(
        f"{REQUESTS} requests, test client in process: median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.2f} ms"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
