"""Benchmark board results and peer comparison: `python bench/assurance.py`.

Seeds (once per size) boards of board members, each board with a closed round whose every
member answered, in its own PostgreSQL database (confide_bench_assurance_<boards>x<members>,
on BENCH_DATABASE_HOST, default postgres://postgres@127.0.0.1:5432). Each member's response
holds 30 answers: the overall position, the 16 progress items of questionnaire version 1, and
13 more items filled with the same scale (the page reads the closed results, never the answers,
so their number only changes the seeding and the close). Rounds are closed through the real
`services.aggregate` into `BoardResult` rows, as `close_round` does.

Then, for one board's chair: the median and p95 of (a) `selectors.results_page` (results,
reference, three peer groups, three charts; the groups come from the cache until a round
closes somewhere) and (b) the whole round page through Django's test client (middleware,
policies, template), and the query count of each, at each size, so the counts can be seen to
stay flat in the number of boards and members; and (c) the groups recomputed without the
cache, as the first page after any close pays.

    python bench/assurance.py                 # 30x5 and 300x15
    BENCH_SIZES=300x15 python bench/assurance.py
"""

import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = os.environ.get("BENCH_DATABASE_HOST", "postgres://postgres@127.0.0.1:5432")
SIZES = os.environ.get("BENCH_SIZES", "30x5,300x15").split(",")
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
ANSWERS_PER_MEMBER = 30


def database_url(size):
    return f"{HOST}/confide_bench_assurance_{size}"


def ensure_database(url):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True, env=env
    )


def seed(boards, members):
    from django.db import transaction
    from django.utils import timezone

    from assurance import questionnaire, services
    from assurance.models import BoardResult, Response, Round
    from community.models import (
        BoardRole,
        Organisation,
        OrganisationKind,
        Profile,
        Region,
        User,
    )

    if Round.objects.count() >= boards:
        return User.objects.get(username="bench-chair-0")
    print(f"seeding {boards} boards x {members} members ...", file=sys.stderr, flush=True)
    rng = random.Random(14)
    version = questionnaire.version(1)
    codes = [item.code for item in version.items]
    extra = [f"extra_{i}" for i in range(ANSWERS_PER_MEMBER - 1 - len(codes))]
    levels = [code for code, _ in questionnaire.PROGRESS_SCALE]
    kinds = [k for k in OrganisationKind.values if k not in ("national", "other")]
    now = timezone.now()
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Bench trust {b}", kind=kinds[b % len(kinds)], region=Region.values[b % 7]
            )
            for b in range(boards)
        )
        users = User.objects.bulk_create(
            User(
                username=f"bench-{'chair' if m == 0 else 'member'}-{b}-{m}"
                if m
                else f"bench-chair-{b}",
                email=f"bench-{b}-{m}@bench.invalid",
                password="!",
            )
            for b in range(boards)
            for m in range(members)
        )
        Profile.objects.bulk_create(
            Profile(
                user=user,
                display_name=f"Member {i}",
                board_role=BoardRole.CHAIR if i % members == 0 else BoardRole.NED,
                organisation=organisations[i // members],
            )
            for i, user in enumerate(users)
        )
        rounds = Round.objects.bulk_create(
            Round(organisation=o, questionnaire_version=1, closes_at=now, closed_at=now)
            for o in organisations
        )
        responses = []
        for b, round_ in enumerate(rounds):
            strength = rng.random()
            for m in range(members):
                progress = {
                    code: levels[min(4, max(0, round(rng.gauss(strength * 3, 1))))]
                    for code in codes + extra
                }
                responses.append(
                    Response(
                        round=round_,
                        user=users[b * members + m],
                        overall=min(10, max(0, round(rng.gauss(strength * 10, 2)))),
                        progress=progress,
                    )
                )
        Response.objects.bulk_create(responses, batch_size=2000)
        by_round = {}
        for response in responses:
            by_round.setdefault(response.round_id, []).append(response)
        results = []
        for round_, organisation in zip(rounds, organisations, strict=True):
            figures = services.aggregate(by_round[round_.pk], version)
            round_.responses_at_close = figures["respondents"]
            results.append(
                BoardResult(
                    round=round_,
                    organisation=organisation,
                    organisation_kind=organisation.kind,
                    region=organisation.region,
                    closed_at=now,
                    is_latest=True,
                    **figures,
                )
            )
        Round.objects.bulk_update(rounds, ["responses_at_close"])
        BoardResult.objects.bulk_create(results)
    return User.objects.get(username="bench-chair-0")


def count_queries(connection, fn):
    """Queries run by fn, counted at the database wrapper (works with DEBUG off)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


def timed(fn, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measure(size):
    """Run inside a process whose DATABASE_URL is this size's database."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from assurance import policies, selectors
    from assurance.models import BoardResult, Response

    boards, members = (int(n) for n in size.split("x"))
    chair = seed(boards, members)
    result = BoardResult.objects.select_related("round").get(
        round__organisation__name="Bench trust 0"
    )
    round_ = result.round

    def page_data():
        selectors.results_page(round_, result)

    client = Client()
    client.force_login(chair)
    url = reverse("assurance:round", args=[round_.pk])

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    for _ in range(20):
        page_data()
        page()
    data_queries, page_queries = (
        count_queries(connection, page_data),
        count_queries(connection, page),
    )
    data_median, data_p95 = timed(page_data, RUNS)
    page_median, page_p95 = timed(page, RUNS)
    codes = list(result.progress)
    cold_median, cold_p95 = timed(lambda: selectors._peer_groups(result, codes), RUNS)
    groups = selectors.peer_groups(result, list(result.progress))
    return {
        "size": size,
        "boards": boards,
        "members": members,
        "responses": Response.objects.count(),
        "answers": Response.objects.count() * ANSWERS_PER_MEMBER,
        "groups": [f"{g['name']}: {g['boards']}" for g in groups],
        "k": policies.min_responses(),
        "data_median_ms": round(data_median, 1),
        "data_p95_ms": round(data_p95, 1),
        "data_queries": data_queries,
        "page_median_ms": round(page_median, 1),
        "page_p95_ms": round(page_p95, 1),
        "page_queries": page_queries,
        "cold_median_ms": round(cold_median, 1),
        "cold_p95_ms": round(cold_p95, 1),
    }


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2])))
        return
    rows = []
    for size in SIZES:
        url = database_url(size)
        ensure_database(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "confide.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-000000000000",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
        }
        env.pop("REDIS_URL", None)
        out = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--measure", size],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        "| boards x members | responses (answers) | results_page median / p95 | queries "
        "| whole round page median / p95 | queries |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['boards']} x {r['members']} | {r['responses']:,} ({r['answers']:,}) "
            f"| {r['data_median_ms']} / {r['data_p95_ms']} ms | {r['data_queries']} "
            f"| {r['page_median_ms']} / {r['page_p95_ms']} ms | {r['page_queries']} |"
        )
    for r in rows:
        print(
            f"{r['size']}: peer groups recomputed (first page after a close, no cache): "
            f"median {r['cold_median_ms']} ms, p95 {r['cold_p95_ms']} ms"
        )
    for r in rows:
        print(f"{r['size']}: peer groups shown (k={r['k']}): {'; '.join(r['groups'])}")


if __name__ == "__main__":
    main()
