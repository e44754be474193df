"""Live sessions on Redis behind real daphne processes (REQUIRE_SERVICES run).

Two daphne processes share the database and Redis; a Redis restarted mid-session loses
nothing: clients reconnect and resume by number, and the database holds every message once.
"""

import asyncio
import json
import shutil
import subprocess
import tempfile
import time

import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from events.live import services
from events.live.models import ChatMessage, PollVote
from tests.conftest import DaphneServer, free_port
from tests.live.conftest import LiveWorld, session_cookie

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class LiveClient:
    """What static/js/live.js does, in Python: resume by number, drop duplicates, fill gaps."""

    def __init__(self, server, user, event):
        self.server, self.user, self.event = server, user, event
        self.last = 0
        self.socket = None
        self.chat = {}  # seq -> text, from snapshots and accepted messages
        self.accepted = []  # every durable message accepted, in order
        self.other = []

    async def connect(self, timeout=30):
        cookie = await sync_to_async(session_cookie)(self.user)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.socket = await websockets.connect(
                    f"ws://127.0.0.1:{self.server.port}/ws/events/{self.event.pk}/live/",
                    additional_headers={"Cookie": f"sessionid={cookie}", "Origin": self.server.url},
                    open_timeout=10,
                )
                break
            except (OSError, websockets.exceptions.WebSocketException):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        if self.last:
            await self.send({"type": "resume", "last_seq": self.last})
        await self.wait_for("snapshot")
        return self

    async def send(self, message):
        await self.socket.send(json.dumps(message))

    def handle(self, message):
        if message["type"] == "snapshot":
            self.last = message["seq"]
            for line in message["chat"]:
                self.chat[line["seq"]] = line["html"]
            return message
        seq = message.get("seq")
        if isinstance(seq, int):
            if seq <= self.last:
                return None
            if seq > self.last + 1:
                asyncio.ensure_future(self.send({"type": "resume", "last_seq": self.last}))
                return None
            self.last = seq
            self.accepted.append(message)
            if message["type"] == "chat.message":
                self.chat[seq] = message["html"]
        else:
            self.other.append(message)
        return message

    async def wait_for(self, kind, where=None, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), max(0.1, deadline - time.monotonic()))
            message = self.handle(json.loads(raw))
            if message and message["type"] == kind and (where is None or where(message)):
                return message

    async def close(self):
        if self.socket is not None:
            await self.socket.close()


@pytest.fixture
def two_servers(transactional_db):
    servers = [DaphneServer().start(), DaphneServer().start()]
    yield servers
    for server in servers:
        server.stop()


async def test_two_daphne_processes_serve_one_session_together(two_servers):
    lw = await sync_to_async(LiveWorld)()
    await sync_to_async(lw.go_live)()
    poll = await sync_to_async(services.create_poll)(
        actor=lw.facilitator, event=lw.event, question="Go?", kind="single", options=["Y", "N"]
    )
    await sync_to_async(services.open_poll)(actor=lw.facilitator, event=lw.event, poll_id=poll.pk)
    yes = await sync_to_async(lambda: poll.options.first())()
    alice = await LiveClient(two_servers[0], lw.alice, lw.event).connect()
    bola = await LiveClient(two_servers[1], lw.bola, lw.event).connect()
    try:
        await alice.send({"type": "chat.send", "text": "Hello from process one"})
        heard = await bola.wait_for("chat.message")
        assert heard["html"] == "Hello from process one"
        await alice.send({"type": "poll.vote", "poll_id": poll.pk, "option_ids": [yes.pk]})
        tally = await bola.wait_for("poll.tally")
        assert tally["tallies"][str(yes.pk)] == 1
        await alice.send({"type": "hand.raise"})
        hand = await bola.wait_for("hand.raised")
        assert hand["user"]["id"] == lw.alice.pk
        await bola.send({"type": "chat.send", "text": "And back from two"})
        back = await alice.wait_for("chat.message", where=lambda m: m["author"]["id"] == lw.bola.pk)
        assert back["html"] == "And back from two"
        assert await sync_to_async(PollVote.objects.count)() == 1
    finally:
        await alice.close()
        await bola.close()


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="confide-live-redis-")
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server"), "--port", str(self.port), "--save", "", "--appendonly",
             "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            if (
                subprocess.run(  # noqa: S603
                    [shutil.which("redis-cli"), "-p", str(self.port), "ping"],
                    capture_output=True,
                    check=False,
                ).stdout.strip()
                == b"PONG"
            ):
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_redis():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    redis = OwnRedis().start()
    yield redis
    redis.cleanup()


async def test_a_restarted_redis_loses_nothing_and_duplicates_nothing(own_redis, transactional_db):
    lw = await sync_to_async(LiveWorld)()
    await sync_to_async(lw.go_live)()
    server = await sync_to_async(DaphneServer(env={"REDIS_URL": own_redis.url}).start)()
    alice = await LiveClient(server, lw.alice, lw.event).connect()
    bola = await LiveClient(server, lw.bola, lw.event).connect()
    try:
        await alice.send({"type": "chat.send", "text": "one"})
        await bola.wait_for("chat.message")
        await alice.wait_for("chat.message")

        own_redis.stop()
        await asyncio.sleep(1)
        own_redis.start()

        # Both connections notice (daphne closes them when the layer fails) or are closed by
        # the client; either way they reconnect and resume from their last number.
        for client in (alice, bola):
            await client.close()
        await bola.connect()
        await bola.send({"type": "chat.send", "text": "two"})
        await bola.wait_for("chat.message", where=lambda m: m["html"] == "two")
        await alice.connect()  # resumes after "one": "two" comes in the snapshot or replay
        await alice.send({"type": "chat.send", "text": "three"})
        await alice.wait_for("chat.message", where=lambda m: m["html"] == "three")
        await bola.wait_for("chat.message", where=lambda m: m["html"] == "three")

        texts = await sync_to_async(
            lambda: list(ChatMessage.objects.order_by("seq").values_list("text", flat=True))
        )()
        assert texts == ["one", "two", "three"]
        for client in (alice, bola):
            assert sorted(client.chat.values()) == ["one", "three", "two"]
            seqs = [m["seq"] for m in client.accepted]
            assert len(seqs) == len(set(seqs))
    finally:
        await alice.close()
        await bola.close()
        await sync_to_async(server.stop)()


class RawClient:
    """One connection that keeps every numbered frame as it arrived: no reordering, no
    duplicate dropping, no resume, so the server's own order is what is checked."""

    def __init__(self, server, user, event):
        self.server, self.user, self.event = server, user, event
        self.frames = []
        self.start = None

    async def connect(self):
        cookie = await sync_to_async(session_cookie)(self.user)
        self.socket = await websockets.connect(
            f"ws://127.0.0.1:{self.server.port}/ws/events/{self.event.pk}/live/",
            additional_headers={"Cookie": f"sessionid={cookie}", "Origin": self.server.url},
            open_timeout=20,
            max_queue=None,
        )
        while self.start is None:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), 20))
            if message["type"] == "snapshot":
                self.start = message["seq"]
        return self

    async def read_until(self, last, timeout=30):
        deadline = time.monotonic() + timeout
        while not self.frames or self.frames[-1]["seq"] < last:
            raw = await asyncio.wait_for(self.socket.recv(), max(0.1, deadline - time.monotonic()))
            message = json.loads(raw)
            assert message["type"] != "error", message
            if isinstance(message.get("seq"), int):
                self.frames.append(message)


@pytest.mark.postgres
async def test_writers_on_two_processes_reach_every_client_in_order_once(two_servers, held_bells):
    """Chat written concurrently through both processes: every client gets every number, once,
    in order (0 lost, 0 duplicated, 0 out of order), whichever process's bell came first."""
    from events.live.models import LiveSession

    lw = await sync_to_async(LiveWorld)()
    people = [lw.alice, lw.bola]
    for n in range(18):
        people.append(await sync_to_async(lw.participant)(f"Writer {n}"))
    await sync_to_async(lw.go_live)()
    clients = [
        await RawClient(two_servers[i % 2], person, lw.event).connect()
        for i, person in enumerate(people)
    ]
    facilitator = await RawClient(two_servers[0], lw.facilitator, lw.event).connect()
    clients.append(facilitator)
    try:
        start = max(c.start for c in clients)
        for client in clients:
            client.start = start
        # One crossing made certain: this process writes a line and holds its bell back; a
        # line written through the first daphne process rings first; then the held bell.
        held_bells.clear()
        await sync_to_async(services.send_chat)(
            actor=lw.facilitator, event=lw.event, text="written first, rung second"
        )
        (held,) = held_bells
        await facilitator.socket.send(json.dumps({"type": "chat.send", "text": "rung first"}))
        rung_first = ChatMessage.objects.filter(text="rung first")
        while not await sync_to_async(rung_first.exists)():  # committed, so its bell is out
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)  # its bell reaches the consumers; ours comes within GAP_WAIT
        await get_channel_layer().group_send(*held)

        async def write(client, i):
            for k in range(5):
                await client.socket.send(json.dumps({"type": "chat.send", "text": f"w{i}-{k}"}))

        writers = clients[:-1]
        await asyncio.gather(*(write(c, i) for i, c in enumerate(writers)))
        total = 2 + len(writers) * 5
        readers = [c.read_until(start + total) for c in clients]
        await asyncio.gather(*readers)
        session = await sync_to_async(LiveSession.objects.get)(event=lw.event)
        assert session.seq == start + total
        texts = sorted(
            ["written first, rung second", "rung first"]
            + [f"w{i}-{k}" for i in range(len(writers)) for k in range(5)]
        )
        for client in clients:
            seqs = [f["seq"] for f in client.frames if f["seq"] > start]
            assert seqs == list(range(start + 1, start + total + 1)), client.user
            chat = sorted(f["html"] for f in client.frames if f["type"] == "chat.message")
            assert chat == texts
    finally:
        for client in clients:
            await client.socket.close()
