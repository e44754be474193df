"""Access-table rows for the live session (see tests/access_table.py), and its WebSocket table.

The page: its facilitators and confirmed registrants; everyone else 404s, as for an event that
does not exist. `build(world)` makes an event on the world's network that the moderator
facilitates and the member is registered for; the steward runs the network but neither
facilitates nor registered, so the room is closed to them too.
"""

from datetime import timedelta

from tests.access_table import LOGIN, REDIRECT, Route, every, inside_network, signed_in  # noqa: F401


def build(world):
    from django.utils import timezone

    from events import services

    start = timezone.now() + timedelta(days=2)
    world.live_event = services.create_event(
        actor=world.steward,
        networks=[world.network],
        title="A facilitated conversation for chairs",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=10,
        facilitators=[world.moderator],
        publish=True,
    )
    services.register(actor=world.member, event=world.live_event)


ROOM = {**every(404, anonymous=LOGIN), "member": 200, "moderator": 200}

ROUTES = [
    Route(
        "live:session",
        ROOM,
        kwargs=lambda w: {"event_id": w.live_event.pk},
        note="facilitator (moderator) and confirmed registrant (member) only",
    ),
]

# The WebSocket, /ws/events/<id>/live/: who may send which message type.
# OK: the service runs and its broadcast arrives; ERROR: an error frame and nothing changes;
# every role that may not connect (not registered, outsider, steward who does not facilitate,
# removed, cancelled) is closed with 4404 before any message (tests/live/test_access_ws.py).
OK, ERROR = "ok", "error"
EVERYONE = {"facilitator": OK, "participant": OK}
FACILITATORS = {"facilitator": OK, "participant": ERROR}
MESSAGE_TYPES = {
    "resume": EVERYONE,
    "chat.send": EVERYONE,
    "hand.raise": EVERYONE,
    "hand.lower": EVERYONE,
    "question.ask": EVERYONE,
    "question.upvote": EVERYONE,
    "poll.vote": EVERYONE,
    "session.state": FACILITATORS,
    "chat.hide": FACILITATORS,
    "participant.mute": FACILITATORS,
    "participant.remove": FACILITATORS,
    "hand.call": FACILITATORS,
    "question.answer": FACILITATORS,
    "question.pin": FACILITATORS,
    "question.hide": FACILITATORS,
    "poll.create": FACILITATORS,
    "poll.open": FACILITATORS,
    "poll.close": FACILITATORS,
    "rooms.create": FACILITATORS,
    "rooms.assign": FACILITATORS,
    "rooms.open": FACILITATORS,
    "rooms.broadcast": FACILITATORS,
    "rooms.visit": FACILITATORS,
    "rooms.close": FACILITATORS,
}
CONNECT = {
    "facilitator": True,
    "participant": True,
    "unregistered_member": False,
    "outsider": False,
    "steward": False,
    "removed": False,
    "cancelled": False,
}
