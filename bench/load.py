"""Load against the production shape (bin/serve-multi: two daphne processes, PostgreSQL, Redis).

The mix (issue 8): members reading community pages, reading forums and replying, registering
for and cancelling a place at an event with limited seats and a waiting list, while `--live`
participants sit in one live session (split over both processes) and one in ten of them chats.
Prints one table (requests, median, p95, p99 and errors per kind of request, and the delivery
of live chat from send to arrival at the other participants), throughput, error rate, lost
chat messages, memory per process, and how many idle WebSocket connections one daphne
process holds with its memory per connection.

    .venv/bin/python bench/load.py [--seconds 20] [--users 30] [--live 200] [--idle 1000]
                                   [--think 0] [--split]

Every page member is a simulated browser: one keep-alive connection and its cookies. With
`--think N` it pauses before each request (uniformly 0.5N to 1.5N seconds, as a person reads
and types); without it, it sends the next request at once (a stress figure, not a real mix).
By default pages and the live session share both daphne processes; `--split` runs the shape
recommended for live sessions: pages on port 8101, the live session's WebSockets on 8102.
Posts are real form posts (the CSRF token read from the page's form). It creates its
own database (confide_bench_load) and Redis prefix; nothing else is touched. Traffic goes only
to 127.0.0.1; e-mail goes nowhere (the dummy backend).
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

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
    # Notifications (replies, seat promotions) send e-mail from the worker; none may leave.
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}
# As bin/serve-multi: the servers queue tasks (e-mail) for the worker instead of running them
# inside the request. The preparation keeps the immediate backend, so no backlog is left.
SERVE_ENV = {**ENV, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
PORTS = (8101, 8102)
TOPICS, REPLIES_PER_TOPIC = 12, 14

# A person may post 8 times a minute in the forums: one reply per 10 s stays clear of it.
REPLY_GAP = 10.0
# One participant in ten chats, a message every 5 to 10 s each: well inside the live chat
# limit of 5 messages per 10 s per person, and about 2.7 messages a second from 200 people.
CHATTER_SHARE = 10
CHAT_GAP = (5.0, 10.0)
CHAT_MARK = re.compile(r"bench-chat-(\d+)")
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def manage(*args):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def psql(sql, database="postgres"):
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAqc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def prepare(users, live):
    psql("DROP DATABASE IF EXISTS confide_bench_load WITH (FORCE)")
    psql("CREATE DATABASE confide_bench_load")
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    # Members of the learning network (agreement accepted), each with a session; a forum with
    # topics; an event with few seats for the page mix; and a published event with a
    # facilitator (enrolled in two-factor, as the policy requires) and `live` confirmed
    # registrants, whose live session the bench opens.
    script = f"""
import json
from datetime import timedelta
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.utils import timezone

# Nobody types a password here (sessions come from force_login): hash the made-up ones fast.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

from community import demo, services
from community.models import Network, User
from events import services as events
from forums import services as forums
from forums.models import Post
from tests.factories import enrol_totp, make_user

def cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

network = Network.objects.get(slug="learning")
steward = User.objects.get(email=demo.email_for("steward"))
facilitator = User.objects.get(email=demo.email_for("facilitator"))
enrol_totp(facilitator)
members = []
for i in range(max({users}, {live}, 1)):
    user = make_user(display_name=f"Bench member {{i}}")
    services.add_member(actor=None, network=network, user=user)
    services.accept_agreement(actor=user, network=network)
    members.append(user)

def dated(post):
    # Seeded history is a day old, so it does not count against the posting limit.
    Post.objects.filter(pk=post.pk).update(created_at=F("created_at") - timedelta(days=1))

forum = forums.create_forum(
    actor=None, network=network, name="Bench: board practice", slug="bench-practice"
)
topics = []
for t in range({TOPICS}):
    topic = forums.create_topic(
        actor=members[t % len(members)],
        forum=forum,
        title=f"Bench topic {{t}}: reverse mentoring for board members",
        body="How did your board set up reverse mentoring, and what changed? " * 3,
    )
    dated(topic.posts.get())
    for r in range({REPLIES_PER_TOPIC}):
        dated(forums.reply(
            actor=members[(t + r + 1) % len(members)],
            topic=topic,
            body=f"Reply {{r}}: we paired each non-executive with a staff network member. " * 2,
        ))
    topics.append(topic.pk)

start = timezone.now() + timedelta(days=7)
capacity = max(2, {users} // 3)
seats = events.create_event(
    actor=steward, networks=[network], title="Bench: WRES data at board level",
    starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity, publish=True,
)
session = events.create_event(
    actor=steward, networks=[network], title="Bench: live session",
    starts_at=start, ends_at=start + timedelta(hours=2), capacity=max({live}, 1),
    facilitators=[facilitator], publish=True,
)
for user in members[:{live}]:
    events.register(actor=user, event=session)
print(json.dumps({{
    "cookies": [cookie(user) for user in members],
    "facilitator": cookie(facilitator),
    "forum": forum.pk,
    "topics": topics,
    "seats_event": seats.pk,
    "capacity": capacity,
    "live_event": session.pk,
}}))
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
                    "confide.asgi:application",
                ],
                cwd=ROOT,
                env=SERVE_ENV,
            )
        )
    processes.append(
        subprocess.Popen(
            [PY, "manage.py", "db_worker"],
            cwd=ROOT,
            env=SERVE_ENV,
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


class Browser:
    """One member's browser tab: a keep-alive HTTP/1.1 connection and a cookie jar (stdlib)."""

    def __init__(self, port, session_cookie):
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies = {"sessionid": session_cookie}
        self.connection = None

    async def request(self, method, path, form=None):
        if self.connection is None:
            self.connection = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.connection
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nCookie: {cookies}\r\n"
        body = b""
        if form is not None:
            # What a browser sends with a same-origin form post.
            body = urlencode(form).encode()
            head += (
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n"
                f"Origin: http://{self.host}\r\nReferer: http://{self.host}{path}\r\n"
            )
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length, chunked = 0, False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "set-cookie":
                key, _, rest = value.partition("=")
                if "max-age=0" in rest.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = rest.split(";", 1)[0]
        if not chunked:
            return status, await reader.readexactly(length)
        chunks = []
        while size := int((await reader.readline()).split(b";")[0], 16):
            chunks.append((await reader.readexactly(size + 2))[:-2])  # each chunk ends in CRLF
        await reader.readline()
        return status, b"".join(chunks)

    def close(self):
        if self.connection is not None:
            self.connection[1].close()
            self.connection = None


# What a member does next, in turn: (action, weight). "reply" reads a topic page and, at most
# once per REPLY_GAP, posts its reply form; "registration" reads the event page and presses
# the button it shows (register, or cancel my registration).
MIX = [
    ("home", 3),
    ("network home", 4),
    ("notifications", 2),
    ("forum list", 3),
    ("topic", 4),
    ("reply", 2),
    ("registration", 2),
]
KINDS = [
    "home",
    "network home",
    "notifications",
    "forum list",
    "topic",
    "reply",
    "event",
    "register",
    "cancel",
]


async def page_mix(world, users, seconds, ports, think):
    samples = defaultdict(list)
    errors = Counter()
    done = Counter()  # form posts answered with their redirect
    weighted = [action for action, weight in MIX for _ in range(weight)]
    deadline = time.monotonic() + seconds
    paths = {
        "home": "/",
        "network home": "/networks/learning/",
        "notifications": "/notifications/",
        "forum list": f"/forums/{world['forum']}/",
    }
    event_path = f"/events/{world['seats_event']}/"
    rng = random.Random(30)

    async def timed(browser, kind, method, path, form=None):
        if think:
            pause = rng.uniform(0.5, 1.5) * think
            await asyncio.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        started = time.perf_counter()
        try:
            status, body = await browser.request(method, path, form)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            browser.close()
            status, body = 599, b""
        samples[kind].append((time.perf_counter() - started) * 1000)
        if status >= 400:
            errors[kind] += 1
        return status, body

    def token(kind, page, action):
        """The CSRF token inside the page's form that posts to `action`, as a browser sends it."""
        start = page.find(f'action="{action}"'.encode())
        found = CSRF_FIELD.search(page, start) if start >= 0 else None
        if found is None:
            errors[kind] += 1  # the form was not on the page: counted, not sent
        return found and found.group(1).decode()

    async def post(browser, kind, path, form):
        status, _ = await timed(browser, kind, "POST", path, form)
        if status == 302:
            done[kind] += 1
        elif status < 400:
            errors[kind] += 1  # the form came back instead of the redirect

    async def member(i, cookie):
        browser = Browser(ports[i % len(ports)], cookie)
        n, last_reply = i, -REPLY_GAP
        while time.monotonic() < deadline:
            action = weighted[n % len(weighted)]
            topic_path = f"/forums/topics/{world['topics'][n % len(world['topics'])]}/"
            n += 7
            if action in paths:
                await timed(browser, action, "GET", paths[action])
            elif action in ("topic", "reply"):
                status, page = await timed(browser, "topic", "GET", topic_path)
                if (
                    action == "reply"
                    and status == 200
                    and time.monotonic() - last_reply >= REPLY_GAP
                ):
                    if csrf := token("reply", page, topic_path):
                        last_reply = time.monotonic()
                        body = f"Bench reply from member {i}: our board tried this too. " * 2
                        form = {"csrfmiddlewaretoken": csrf, "body": body, "action": "post"}
                        await post(browser, "reply", topic_path, form)
            else:
                status, page = await timed(browser, "event", "GET", event_path)
                kind = "cancel" if b"/cancel-registration/" in page else "register"
                action = event_path + ("cancel-registration/" if kind == "cancel" else "register/")
                if status == 200 and (csrf := token(kind, page, action)):
                    await post(browser, kind, action, {"csrfmiddlewaretoken": csrf})
        browser.close()

    started = time.monotonic()
    await asyncio.gather(*(member(i, c) for i, c in enumerate(world["cookies"][:users])))
    return samples, errors, done, time.monotonic() - started


class LiveSession:
    """`count` participants and the facilitator on one session's WebSocket, over `ports`."""

    def __init__(self, world, count, ports):
        self.ports = ports
        self.path = f"/ws/events/{world['live_event']}/live/"
        self.cookies = world["cookies"][:count] + [world["facilitator"]]
        self.sockets = {}
        self.readers = []
        self.snapshots = 0
        self.saw_live = 0
        self.sent = {}  # message number -> (sender index, time sent)
        self.received = Counter()  # message number -> connections it reached
        self.latencies = []  # ms, at every connection but the sender's
        self.refused = Counter()  # error frames, by the request refused
        self.dropped = []  # close codes of connections that closed before the end
        self.closing = False

    async def connect(self, index):
        port = self.ports[index % len(self.ports)]
        try:
            socket = await websockets.connect(
                f"ws://127.0.0.1:{port}{self.path}",
                additional_headers={
                    "Cookie": f"sessionid={self.cookies[index]}",
                    "Origin": f"http://127.0.0.1:{port}",
                },
                open_timeout=60,
                ping_interval=None,  # browsers do not ping
                max_queue=None,
            )
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as error:
            self.dropped.append(type(error).__name__)
            return
        self.sockets[index] = socket
        self.readers.append(asyncio.create_task(self.read(index, socket)))

    async def read(self, index, socket):
        try:
            async for raw in socket:
                at = time.perf_counter()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "chat.message":
                    found = CHAT_MARK.search(message["html"])
                    if found and int(found.group(1)) in self.sent:
                        number = int(found.group(1))
                        self.received[number] += 1
                        sender, sent_at = self.sent[number]
                        if sender != index:
                            self.latencies.append((at - sent_at) * 1000)
                elif kind == "snapshot":
                    self.snapshots += 1
                elif kind == "session.state" and message.get("state") == "live":
                    self.saw_live += 1
                elif kind == "error":
                    self.refused[message.get("request")] += 1
        except websockets.exceptions.ConnectionClosed:
            pass
        if not self.closing:
            self.dropped.append(socket.close_code)

    async def wait_for(self, condition, timeout):
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def open(self):
        """Participants join (ten at a time) while it is scheduled; the facilitator sets it live."""
        gate = asyncio.Semaphore(10)

        async def join(index):
            async with gate:
                await self.connect(index)

        facilitator = len(self.cookies) - 1
        await asyncio.gather(*(join(i) for i in range(facilitator)))
        await self.connect(facilitator)
        await self.wait_for(lambda: self.snapshots >= len(self.sockets), 60)
        if facilitator in self.sockets:
            await self.sockets[facilitator].send(
                json.dumps({"type": "session.state", "state": "live"})
            )
        await self.wait_for(lambda: self.saw_live >= len(self.sockets), 60)

    async def chat(self, seconds):
        rng = random.Random(8)
        numbers = itertools.count(1)
        deadline = time.monotonic() + seconds
        participants = len(self.cookies) - 1
        chatters = [i for i in range(max(1, participants // CHATTER_SHARE)) if i in self.sockets]

        async def chatter(index):
            await asyncio.sleep(rng.uniform(0, CHAT_GAP[1]))
            while time.monotonic() < deadline:
                number = next(numbers)
                text = f"bench-chat-{number}: the same happened at our trust, thank you"
                self.sent[number] = (index, time.perf_counter())
                await self.sockets[index].send(json.dumps({"type": "chat.send", "text": text}))
                gap = rng.uniform(*CHAT_GAP)
                await asyncio.sleep(min(gap, max(deadline - time.monotonic(), 0)))

        await asyncio.gather(*(chatter(i) for i in chatters))
        # Drain: every connection should have every message; stop waiting after 10 s. What has
        # not arrived by then is reported as lost (a live chat line that late is lost to people).
        await self.wait_for(lambda: sum(self.received.values()) >= self.expected(), 10)
        return len(chatters)

    def expected(self):
        """Deliveries owed: every accepted message to every connection, the sender's too."""
        return (len(self.sent) - self.refused["chat.send"]) * len(self.sockets)

    async def close(self):
        self.closing = True
        await asyncio.gather(*(s.close() for s in self.sockets.values()))
        await asyncio.gather(*self.readers, return_exceptions=True)


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


def row(name, values, errors):
    if not values:
        return f"{name:20} {0:9d} {'-':>10} {'-':>8} {'-':>8} {errors:7d}"
    return (
        f"{name:20} {len(values):9d} {statistics.median(values):10.1f} "
        f"{percentile(values, 0.95):8.1f} {percentile(values, 0.99):8.1f} {errors:7d}"
    )


def checks(world, replies):
    """What the database says after the mix: the seats, the waiting list and the replies."""
    confirmed, waiting, waited, promoted = (
        int(n)
        for n in psql(
            "SELECT count(*) FILTER (WHERE status = 'confirmed'), "
            "count(*) FILTER (WHERE status = 'waitlisted'), "
            "count(*) FILTER (WHERE waitlisted_at IS NOT NULL), "
            "count(*) FILTER (WHERE waitlisted_at IS NOT NULL AND confirmed_at IS NOT NULL) "
            f"FROM events_registration WHERE event_id = {world['seats_event']}",
            "confide_bench_load",
        ).split("|")
    )
    capacity = world["capacity"]
    # Never more people than seats; nobody waits while a seat is free.
    seats_ok = confirmed <= capacity and (waiting == 0 or confirmed == capacity)
    stored = int(
        psql(
            "SELECT count(*) FROM forums_post p JOIN forums_topic t ON t.id = p.topic_id "
            f"WHERE t.forum_id = {world['forum']}",
            "confide_bench_load",
        )
    ) - TOPICS * (1 + REPLIES_PER_TOPIC)
    print(
        f"seats: capacity {capacity}, now confirmed {confirmed} and waiting {waiting} "
        f"({'consistent' if seats_ok else 'WRONG'}); {waited} joined the waiting list, "
        f"{promoted} of them promoted to a seat\n"
        f"replies stored {stored} of {replies} answered with a redirect "
        f"({'consistent' if stored == replies else 'WRONG'})"
    )


async def main(args):
    if args.split:
        page_ports, live_ports = PORTS[:1], PORTS[1:]
        shape = f"split: pages on port {PORTS[0]}, the live session's WebSockets on {PORTS[1]}"
    else:
        page_ports = live_ports = PORTS
        shape = f"shared: pages and the live session on both ports {PORTS[0]} and {PORTS[1]}"
    print(
        f"shape {shape}; think time {args.think:g} s\n"
        f"preparing database, {max(args.users, args.live)} members, a forum and two events ...",
        flush=True,
    )
    world = prepare(args.users, args.live)
    processes = start_servers()
    daphnes = processes[: len(PORTS)]
    live = None
    try:
        base_rss = [rss_mb(p.pid) for p in daphnes]
        if args.live:
            live = LiveSession(world, args.live, live_ports)
            started = time.monotonic()
            await live.open()
            print(
                f"\nlive session: {len(live.sockets) - 1} of {args.live} participants and the "
                f"facilitator connected over {len(live_ports)} process(es) in "
                f"{time.monotonic() - started:.1f} s; {live.saw_live} saw it go live"
            )
        pause = f"think time {args.think:g} s" if args.think else "no think time"
        print(
            f"mix: {args.users} members for {args.seconds} s over {len(page_ports)} daphne "
            f"process(es), {pause}" + (", while the live session chats" if live else "") + "\n"
        )
        jobs = [page_mix(world, args.users, args.seconds, page_ports, args.think)]
        if live:
            jobs.append(live.chat(args.seconds))
        results = await asyncio.gather(*jobs)
        samples, errors, done, elapsed = results[0]
        mix_rss = [rss_mb(p.pid) for p in daphnes]

        print(
            f"{'kind':20} {'requests':>9} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'errors':>7}"
        )
        for name in KINDS:
            print(row(name, samples[name], errors[name]))
        total = sum(len(v) for v in samples.values())
        if live:
            chatters = results[1]
            expected = live.expected()
            delivered = sum(live.received.values())
            lost = max(expected - delivered, 0)
            refused = sum(live.refused.values())
            print(row("live chat delivery", live.latencies, lost + refused))
        error_rate = sum(errors.values()) / max(total, 1)
        print(f"\nthroughput {total / elapsed:.0f} HTTP requests/s, error rate {error_rate:.2%}")
        if live:
            print(
                f"live chat: {chatters} of {len(live.sockets) - 1} participants chatting, "
                f"{len(live.sent)} messages sent ({len(live.sent) / args.seconds:.1f}/s); "
                f"each should reach all {len(live.sockets)} connections: {delivered} of "
                f"{expected} deliveries arrived, {lost} lost ({lost / max(expected, 1):.2%}), "
                f"{delivered / args.seconds:.0f} deliveries/s; refused {dict(live.refused)}; "
                f"{len(live.dropped)} connections dropped {live.dropped[:5]}"
            )
        checks(world, done["reply"])
        print(
            "memory per daphne process after the mix: "
            + ", ".join(f"{m:.0f} MB (port {p})" for m, p in zip(mix_rss, PORTS, strict=True))
            + f" (at start {', '.join(f'{m:.0f}' for m in base_rss)} MB"
            + ("; live session connected)" if live else ")")
        )
        if live:
            await live.close()
            live = None

        # On the first port: with --split that is the pages process, where the notification
        # sockets every page opens belong; the live session process keeps only the session.
        print(f"\nidle WebSockets on one daphne process (port {PORTS[0]}):")
        await asyncio.sleep(2)  # let the live session's leaves settle
        before = rss_mb(daphnes[0].pid)
        started = time.monotonic()
        sockets = await idle_sockets(world["cookies"], args.idle, PORTS[0])
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
        if live:
            await live.close()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--live", type=int, default=200)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--think", type=float, default=0, help="seconds between page requests")
    parser.add_argument(
        "--split", action="store_true", help="pages on one process, the live session on the other"
    )
    asyncio.run(main(parser.parse_args()))
