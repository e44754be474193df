"""Benchmark the forum pages on PostgreSQL through daphne: `python bench/forums.py`.

Seeds (once) 20 forums, 2,000 topics and 50,000 posts in a separate database (default
postgres://postgres@127.0.0.1:5432/confide_bench_forums, or BENCH_DATABASE_URL), starts a daphne
process on it with production settings (DEBUG off), signs in as a member and prints the median
and p95 latency and the query count of the forum list, a topic list and a 50-post topic page.
Query counts are measured in this process with the same request; latency over HTTP keep-alive.
"""

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/confide_bench_forums"
)
FORUMS, TOPICS, POSTS = 20, 2_000, 50_000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = 20

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
os.environ.pop("REDIS_URL", None)
# The same key here (where the session is made) and in daphne (where it is read).
os.environ["SECRET_KEY"] = "bench-only-secret-key-not-for-production-000000000000"


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
    from django.contrib.postgres.search import SearchVector
    from django.db import transaction
    from django.utils import timezone

    from community import services as community_services
    from community.models import Network, Profile, User
    from forums import services
    from forums.models import Forum, Post, Topic, TopicPseudonym

    network = Network.objects.filter(slug="bench").first()
    if network and Post.objects.filter(topic__forum__network=network).count() >= POSTS:
        return network, User.objects.get(username="bench-member")
    print("seeding 20 forums, 2,000 topics, 50,000 posts ...", flush=True)
    rng = random.Random(42)
    with transaction.atomic():
        network = network or community_services.create_network(
            actor=None, name="Bench network", slug="bench"
        )
        people = []
        for i in range(200):
            user, _ = User.objects.get_or_create(
                username=f"bench-{i}", defaults={"email": f"bench-{i}@bench.invalid"}
            )
            Profile.objects.get_or_create(user=user, defaults={"display_name": f"Member {i}"})
            people.append(user)
        member, _ = User.objects.get_or_create(
            username="bench-member", defaults={"email": "bench-member@bench.invalid"}
        )
        Profile.objects.get_or_create(user=member, defaults={"display_name": "Bench Member"})
        network.members_group.user_set.add(member, *people)
        forums = list(Forum.objects.filter(network=network))
        for i in range(len(forums), FORUMS):
            forums.append(
                services.create_forum(
                    actor=None,
                    network=network,
                    name=f"Forum {i + 1}",
                    slug=f"forum-{i + 1}",
                    position=i,
                    allow_anonymous=True,
                )
            )
        Topic.objects.filter(forum__network=network).delete()
        now = timezone.now()
        long_topics = 40  # a few 50-post topics; the rest share what is left evenly

        def posts_in(i):
            if i < long_topics:
                return 50
            rest, count = POSTS - 50 * long_topics, TOPICS - long_topics
            base, extra = divmod(rest, count)
            return base + (1 if i - long_topics < extra else 0)

        topics = Topic.objects.bulk_create(
            [
                Topic(
                    forum=forums[i % FORUMS],
                    title=f"How our board uses WRES data, part {i}",
                    author=people[i % len(people)],
                    is_anonymous=i % 4 == 0,
                    kind="case_study" if i % 10 == 0 else "discussion",
                    created_at=now - timedelta(hours=TOPICS - i),
                    last_activity_at=now - timedelta(minutes=TOPICS - i),
                    post_count=posts_in(i),
                    last_seq=posts_in(i),
                    is_pinned=i % 100 == 0,
                )
                for i in range(TOPICS)
            ],
            batch_size=1000,
        )
        words = (
            "board race equality data staff network listening challenge recruitment waiting "
            "list ethnicity accountability governors culture patients inequalities"
        ).split()
        posts, pseudonyms = [], []
        for t, topic in enumerate(topics):
            numbers = {}
            for n in range(topic.post_count):
                author = people[(t + n * 7) % len(people)]
                anonymous = (t + n) % 5 == 0
                if anonymous and author.pk not in numbers:
                    numbers[author.pk] = len(numbers) + 1
                    pseudonyms.append(
                        TopicPseudonym(topic=topic, user=author, number=numbers[author.pk])
                    )
                text = " ".join(rng.choice(words) for _ in range(40))
                posts.append(
                    Post(
                        topic=topic,
                        author=author,
                        is_anonymous=anonymous,
                        pseudonym=numbers.get(author.pk) if anonymous else None,
                        source=text,
                        html=f"<p>{text}</p>",
                        created_at=topic.created_at + timedelta(seconds=n),
                        seq=n + 1,
                    )
                )
        TopicPseudonym.objects.bulk_create(pseudonyms, batch_size=5000)
        Post.objects.bulk_create(posts, batch_size=5000)
        Post.objects.filter(topic__forum__network=network).update(
            search_vector=SearchVector("source", config="english")
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return network, member


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_daphne(port):
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DB_POOL_MIN": "4",
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "daphne",
            "-v",
            "0",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "confide.asgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("daphne did not start")


def query_count(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured.captured_queries)


def measure(port, cookie, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}
    times = []
    for i in range(WARMUP + REQUESTS):
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
        if i >= WARMUP:
            times.append(elapsed)
    conn.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from forums.models import Topic

    settings.ALLOWED_HOSTS = ["*"]
    network, member = seed()
    client = Client()
    client.force_login(member)
    cookie = client.cookies["sessionid"].value
    topic = Topic.objects.filter(forum__network=network, post_count=50).first()
    forum = topic.forum
    pages = [
        ("baseline: dashboard (no forums)", "/"),
        ("forum list (network home)", f"/networks/{network.slug}/"),
        ("forum list (forums page)", f"/forums/networks/{network.slug}/"),
        ("topic list (30 topics)", f"/forums/{forum.pk}/"),
        (f"topic page ({topic.post_count} posts)", f"/forums/topics/{topic.pk}/"),
    ]
    counts = {path: query_count(client, path) for _, path in pages}
    port = free_port()
    process = start_daphne(port)
    try:
        print(f"{REQUESTS} requests each after {WARMUP} warm-up, one client, keep-alive, daphne")
        print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for label, path in pages:
            median, p95 = measure(port, cookie, path)
            print(f"{label:34} {median:10.1f} {p95:8.1f} {counts[path]:8d}")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
