"""A live session's people, and WebSocket helpers on the real ASGI application."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from community import live
from events import services as event_services
from events.live import services
from events.live.models import LiveSession
from tests.factories import add_member, enrol_totp, make_network, make_user

HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]


class LiveWorld:
    """A network, an event with a facilitator, two registered participants and others."""

    def __init__(self):
        self.steward = make_user(display_name="Grace Steward")
        enrol_totp(self.steward)  # stewards must use two-factor (DESIGN.md rule 10)
        self.network = make_network(steward=self.steward, slug="live-chairs")
        self.facilitator = add_member(self.network, make_user(display_name="Femi Facilitator"))
        enrol_totp(self.facilitator)  # facilitators must use two-factor (DESIGN.md rule 10)
        self.alice = add_member(self.network, make_user(display_name="Alice Adeyemi"))
        self.bola = add_member(self.network, make_user(display_name="Bola Brown"))
        self.unregistered = add_member(self.network, make_user(display_name="Uma Unregistered"))
        self.outsider = make_user(display_name="Priya Outsider")
        start = timezone.now() + timedelta(days=1)
        self.event = event_services.create_event(
            actor=self.steward,
            networks=[self.network],
            title="Using WRES data at board level",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=20,
            facilitators=[self.facilitator],
            publish=True,
        )
        for person in (self.alice, self.bola):
            event_services.register(actor=person, event=self.event)

    def participant(self, name):
        user = add_member(self.network, make_user(display_name=name))
        event_services.register(actor=user, event=self.event)
        return user

    def go_live(self):
        services.change_state(actor=self.facilitator, event=self.event, state="live")


LiveWorld.__test__ = False


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """A new channel layer object per test: channels_redis binds its connections and locks to
    the event loop that first used them, and every async test has a loop of its own."""
    from channels.layers import channel_layers

    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture
def lw(transactional_db):
    return LiveWorld()


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Socket:
    """One person's connection through the real router, session cookie and all."""

    markers = 0

    def __init__(self, user, event):
        from confide.asgi import application

        self.user, self.event = user, event
        self.application = application

    async def open(self, expect_snapshot=True):
        cookie = await sync_to_async(session_cookie)(self.user)
        self.comm = WebsocketCommunicator(
            self.application,
            f"/ws/events/{self.event.pk}/live/",
            headers=[*HEADERS, (b"cookie", f"sessionid={cookie}".encode())],
        )
        connected, _ = await self.comm.connect()
        assert connected
        if expect_snapshot:
            self.snapshot = await self.receive()
            assert self.snapshot["type"] == "snapshot", self.snapshot
        return self

    async def send(self, message):
        await self.comm.send_json_to(message)

    async def send_text(self, text):
        await self.comm.send_to(text_data=text)

    async def receive(self, timeout=3):
        return await self.comm.receive_json_from(timeout=timeout)

    async def receive_until(self, kind, timeout=3, where=None):
        """Messages up to and including the first of `kind` (presence and skips in between)."""
        seen = []
        while True:
            message = await self.receive(timeout)
            seen.append(message)
            if message["type"] == kind and (where is None or where(message)):
                return message, seen

    async def nothing(self):
        """True when nothing more has been sent to this socket (proven by markers, see drain)."""
        return await self.drain() == []

    async def drain(self):
        """Every frame sent to this socket so far, without waiting on a clock.

        Two markers close the list. First a frame of a type no socket accepts: its error answer
        comes after the answers to everything sent before it, since a consumer takes its frames
        in order. Then a marker sent to the session's group: it arrives after every broadcast
        made before it, since a channel delivers in order. Whatever came before them is all.
        """
        Socket.markers += 1
        kind = f"test.marker.{Socket.markers}"
        await self.send({"type": kind})
        seen = []
        while True:
            frame = await self.receive(timeout=10)
            if frame.get("type") == "error" and frame.get("request") == kind:
                break
            seen.append(frame)
        text = json.dumps({"type": kind})
        layer = get_channel_layer()
        group = services.session_group(await sync_to_async(self.session_id)())
        await layer.group_send(group, {"type": "live.presence", "text": text})
        while True:
            frame = await self.receive(timeout=10)
            if frame.get("type") == kind:
                return seen
            seen.append(frame)

    def session_id(self):
        return LiveSession.objects.values_list("pk", flat=True).get(event_id=self.event.pk)

    async def closed_with(self, timeout=3):
        output = await self.comm.receive_output(timeout)
        while output["type"] == "websocket.send":
            output = await self.comm.receive_output(timeout)
        assert output["type"] == "websocket.close", output
        return output.get("code")

    async def close(self):
        # Waits for the consumer to finish its disconnect handler (attendance), generously: the
        # communicator's default second would cancel it on a slow runner.
        await self.comm.disconnect(timeout=10)


@pytest.fixture
def sockets():
    opened = []

    async def open_socket(user, event, expect_snapshot=True):
        socket = Socket(user, event)
        opened.append(socket)
        return await socket.open(expect_snapshot=expect_snapshot)

    yield open_socket
    # Each test closes its own sockets inside its event loop (see `closing`).


async def close_all(*socks):
    for s in socks:
        try:
            await s.close()
        except Exception:  # noqa: BLE001, S110 (already closed by the server)
            pass


@pytest.fixture
def held_bells(monkeypatch):
    """The bells the services ring while this is active, kept instead of sent."""
    held = []
    original = live.send_after_commit

    def hold(group, message):
        if message.get("type") == "live.message":
            held.append((group, message))
        else:
            original(group, message)

    monkeypatch.setattr(live, "send_after_commit", hold)
    yield held
    monkeypatch.setattr(live, "send_after_commit", original)
