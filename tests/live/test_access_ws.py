"""The WebSocket sweep: every message type as every role, from tests/live/access.py.

Allowed: the service runs and its broadcast comes back. Refused: an error frame naming the
request, and nothing in the database changes. Roles that may not be in the room are closed
with 4404 on connecting, before they can send anything.
"""

import pytest
from asgiref.sync import sync_to_async
from django.apps import apps

from events import services as event_services
from events.live import services
from tests.live.access import CONNECT, ERROR, MESSAGE_TYPES, OK
from tests.live.conftest import close_all

pytestmark = pytest.mark.django_db(transaction=True)


def fingerprint():
    """Every row of every live table: a refused message must leave all of them as they were."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("live").get_models()
    }


def _poll(lw, open_it=False):
    poll = services.create_poll(
        actor=lw.facilitator, event=lw.event, question="Ready?", kind="single", options=["Y", "N"]
    )
    if open_it:
        services.open_poll(actor=lw.facilitator, event=lw.event, poll_id=poll.pk)
    return poll


def _question(lw):
    return services.ask_question(actor=lw.bola, event=lw.event, text="What worked?")


def _rooms(lw, open_them=False):
    services.create_rooms(actor=lw.facilitator, event=lw.event, count=2)
    if open_them:
        services.open_rooms(actor=lw.facilitator, event=lw.event, minutes=10)
    return list(lw.event.live_session.rooms.all())


def setup_case(kind, lw, sender):
    """Prepare the session with the real services; return (message, expected reply type)."""
    if kind != "session.state":
        lw.go_live()
    if kind == "resume":
        services.send_chat(actor=lw.bola, event=lw.event, text="Before you came")
        return {"type": "resume", "last_seq": 0}, "chat.message"
    if kind == "chat.send":
        return {"type": kind, "text": "Hello *everyone*"}, "chat.message"
    if kind == "hand.raise":
        return {"type": kind}, "hand.raised"
    if kind == "hand.lower":
        services.raise_hand(actor=sender, event=lw.event)
        return {"type": kind}, "hand.lowered"
    if kind == "question.ask":
        return {"type": kind, "text": "How do we start?", "anonymous": True}, "question.asked"
    if kind == "question.upvote":
        return {"type": kind, "question_id": _question(lw).pk}, "question.updated"
    if kind == "poll.vote":
        poll = _poll(lw, open_it=True)
        option = poll.options.first()
        return {"type": kind, "poll_id": poll.pk, "option_ids": [option.pk]}, "poll.voted"
    if kind == "session.state":
        return {"type": kind, "state": "open"}, "session.state"
    if kind == "chat.hide":
        message = services.send_chat(actor=lw.bola, event=lw.event, text="Oops")
        return {"type": kind, "message_id": message.pk}, "chat.hidden"
    if kind == "participant.mute":
        return {"type": kind, "user_id": lw.bola.pk, "muted": True}, "participant.muted"
    if kind == "participant.remove":
        return {"type": kind, "user_id": lw.bola.pk}, "participant.removed"
    if kind == "hand.call":
        services.raise_hand(actor=lw.bola, event=lw.event)
        return {"type": kind, "user_id": lw.bola.pk}, "hand.called"
    if kind == "question.answer":
        return {"type": kind, "question_id": _question(lw).pk}, "question.updated"
    if kind == "question.pin":
        return {"type": kind, "question_id": _question(lw).pk, "pinned": True}, "question.updated"
    if kind == "question.hide":
        return {"type": kind, "question_id": _question(lw).pk}, "question.hidden"
    if kind == "poll.create":
        message = {"type": kind, "question": "Which first?", "kind": "multiple"}
        return {**message, "options": ["Data", "Culture", "Both"]}, "poll.created"
    if kind == "poll.open":
        return {"type": kind, "poll_id": _poll(lw).pk}, "poll.opened"
    if kind == "poll.close":
        return {"type": kind, "poll_id": _poll(lw, open_it=True).pk}, "poll.closed"
    if kind == "rooms.create":
        return {"type": kind, "count": 2}, "rooms.created"
    if kind == "rooms.assign":
        _rooms(lw)
        return {"type": kind, "mode": "random"}, "rooms.assigned"
    if kind == "rooms.open":
        _rooms(lw)
        return {"type": kind, "minutes": 10}, "rooms.opened"
    if kind == "rooms.broadcast":
        _rooms(lw, open_them=True)
        return {"type": kind, "text": "Two minutes left"}, "rooms.message"
    if kind == "rooms.visit":
        room = _rooms(lw)[0]
        return {"type": kind, "room_id": room.pk}, "rooms.assigned"
    if kind == "rooms.close":
        _rooms(lw, open_them=True)
        return {"type": kind}, "rooms.closed"
    raise AssertionError(f"no case for {kind}")


CASES = [(kind, role) for kind, roles in MESSAGE_TYPES.items() for role in roles]


def test_every_message_type_has_a_row_in_the_table():
    from events.live.consumers import SCHEMAS

    assert set(SCHEMAS) == set(MESSAGE_TYPES)


@pytest.mark.parametrize(("kind", "role"), CASES)
async def test_each_message_type_as_each_role(kind, role, lw, sockets):
    sender = lw.facilitator if role == "facilitator" else lw.alice
    message, reply = await sync_to_async(setup_case)(kind, lw, sender)
    socket = await sockets(sender, lw.event)
    await socket.receive_until("presence")  # its own arrival, batched (events.live.presence)
    before = await sync_to_async(fingerprint)()
    try:
        await socket.send(message)
        if MESSAGE_TYPES[kind][role] == OK:
            answer, seen = await socket.receive_until(reply)
            assert not [m for m in seen if m["type"] == "error"], seen
        else:
            assert MESSAGE_TYPES[kind][role] == ERROR
            answer = await socket.receive()
            assert answer == {
                "type": "error",
                "message": "Only the facilitators can do that.",
                "request": kind,
            }
            assert await socket.nothing()
            assert await sync_to_async(fingerprint)() == before
    finally:
        await close_all(socket)


@pytest.mark.parametrize("role", CONNECT)
async def test_who_may_connect(role, lw, sockets):
    def person():
        if role in ("facilitator", "steward", "outsider"):
            return getattr(lw, role)
        if role == "participant":
            return lw.alice
        if role == "unregistered_member":
            return lw.unregistered
        if role == "removed":
            services.remove_participant(actor=lw.facilitator, event=lw.event, user_id=lw.bola.pk)
            return lw.bola
        if role == "cancelled":
            event_services.cancel_registration(actor=lw.bola, event=lw.event)
            return lw.bola

    user = await sync_to_async(person)()
    socket = await sockets(user, lw.event, expect_snapshot=CONNECT[role])
    try:
        if CONNECT[role]:
            assert socket.snapshot["me"]["id"] == user.pk
        else:
            assert await socket.closed_with() == 4404
    finally:
        await close_all(socket)


async def test_a_missing_event_closes_like_a_forbidden_one(lw, sockets):
    lw.event.pk += 1000
    socket = await sockets(lw.facilitator, lw.event, expect_snapshot=False)
    try:
        assert await socket.closed_with() == 4404
    finally:
        await close_all(socket)


BAD = [
    ("not json", "{nope", "That message is not valid JSON."),
    ("a list", "[1, 2]", "A message must be a JSON object."),
    ("no type", '{"text": "hi"}', "Unknown message type."),
    ("unknown type", '{"type": "chat.delete_all"}', "Unknown message type."),
    ("missing field", '{"type": "chat.send"}', "The field text is missing or not valid."),
    ("wrong kind", '{"type": "chat.send", "text": 5}', "The field text is missing or not valid."),
    ("extra field", '{"type": "hand.raise", "user_id": 3}', "Unexpected field: user_id."),
    (
        "boolean id",
        '{"type": "question.upvote", "question_id": true}',
        "The field question_id is missing or not valid.",
    ),
    (
        "too long",
        '{"type": "chat.send", "text": "' + "x" * 2001 + '"}',
        "The field text is missing or not valid.",
    ),
    ("oversized", '{"type": "chat.send", "text": "' + "é" * 4100 + '"}', None),
]


@pytest.mark.parametrize(("label", "text", "error"), BAD, ids=[b[0] for b in BAD])
async def test_malformed_messages_get_an_error_and_change_nothing(label, text, error, lw, sockets):
    await sync_to_async(lw.go_live)()
    socket = await sockets(lw.alice, lw.event)
    await socket.receive_until("presence")  # its own arrival, batched (events.live.presence)
    before = await sync_to_async(fingerprint)()
    try:
        await socket.send_text(text)
        answer = await socket.receive()
        assert answer["type"] == "error"
        assert answer["message"] == (error or "That message is too large (at most 8 KiB).")
        assert await socket.nothing()
        assert await sync_to_async(fingerprint)() == before
    finally:
        await close_all(socket)
