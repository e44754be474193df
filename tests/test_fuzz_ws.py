"""Malformed input on every WebSocket message type, driven by hypothesis (issue 8).

Three sockets: the live session (every type in events.live.consumers.SCHEMAS, each frame sent
as a facilitator and as a participant), the forum topic (its one type, `resume`, as a member
and as a moderator) and the notification badge. Whatever arrives, the answer is an error
frame or the protocol's own answer, never an exception (which a real server turns into a
1011 close); the socket answers a valid message afterwards; and a refused frame changes no
row in any table.
"""

import asyncio
import json
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from community import live
from confide.asgi import application
from events import services as event_services
from events.live import services
from events.live.consumers import SCHEMAS
from events.live.models import LiveSession
from forums import services as forum_services
from tests.factories import add_member, enrol_totp, make_network, make_user
from tests.forums.conftest import space  # noqa: F401 (fixture)
from tests.live.conftest import (  # noqa: F401 (fixtures)
    HEADERS,
    close_all,
    fresh_channel_layer,
    lw,
    session_cookie,
    sockets,
)
from tests.test_security import table_fingerprint

pytestmark = pytest.mark.django_db(transaction=True)

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    report_multiple_bugs=False,
)
MAX_FRAME = 8 * 1024
LIVE_ROLES = ("facilitator", "participant")
FORUM_ROLES = ("member", "moderator")
# Far beyond any session's number, so `resume` always answers with a fresh snapshot.
FRESH = {"type": "resume", "last_seq": 2**62}


# Values: JSON of every type, with the characters that break storage and rendering -------------

NASTY = "\x00\x01\x1b\x7f\x85\u2028\u202e\ufeff\ud800\udbff\udc00\udfff\U0010ffff"
chars = st.characters() | st.sampled_from(NASTY)
odd_text = st.text(chars, max_size=30)
nasty_text = st.tuples(odd_text, st.sampled_from(NASTY), odd_text).map("".join)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | odd_text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=8,
)
OF_TYPE = {
    "str": odd_text,
    "int": st.integers(),
    "bool": st.booleans(),
    "null": st.none(),
    "float": st.floats(),
    "list": st.lists(json_scalars, max_size=3),
    "dict": st.dictionaries(odd_text, json_scalars, max_size=3),
}
SAMPLE = {
    "str": "7",
    "int": 7,
    "bool": True,
    "null": None,
    "list": [7],
    "dict": {"7": 7},
    "float": 7.0,
}
NEST = "\x00nest\x00"  # replaced in the frame's text by brackets nested `depth` deep
NEST_JSON = json.dumps(NEST)


def nested(depth, opener):
    if opener == "[":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def frame_text(message, depth=0, opener="["):
    """The frame as a client writes it: JSON, surrogates escaped (a text frame is UTF-8)."""
    text = json.dumps(message)
    return text.replace(NEST_JSON, nested(depth, opener)) if depth else text


def as_frame(text, binary):
    return text.encode("utf-8", "surrogatepass") if binary else text


# Raw frames: not JSON, not an object, too big, too deep, binary -------------------------------


def _raw_frame(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a text frame is valid UTF-8: send those bytes as binary
        return text.encode("utf-8", "surrogatepass")
    return text


garbage_frames = st.one_of(
    odd_text.map(_raw_frame),
    json_values.filter(lambda v: not isinstance(v, dict)).map(json.dumps),
    st.binary(max_size=64),
    st.integers(MAX_FRAME + 1, 3 * MAX_FRAME).map(lambda n: json.dumps({"type": "x" * n})),
    st.builds(nested, st.integers(1, 4000), st.sampled_from("[{")),
    st.sampled_from(["", "{", "null", "{}", '{"type": null}', "\x00"]),
)


# The live session ------------------------------------------------------------------------------

# The kind of each field, written here from docs/live-protocol.md rather than read from the
# consumer, so the fuzz holds the code to the documented protocol.
ID, SEQ, TEXT, BOOL, ENUM, IDS, TEXTS, ASSIGNMENTS, ROOM = (
    "id", "seq", "text", "bool", "enum", "ids", "texts", "assignments", "room",
)  # fmt: skip
FIELDS = {
    "last_seq": SEQ,
    "text": TEXT,
    "question": TEXT,
    "user_id": ID,
    "question_id": ID,
    "poll_id": ID,
    "message_id": ID,
    "count": ID,
    "minutes": ID,
    "room_id": ROOM,
    "option_ids": IDS,
    "options": TEXTS,
    "assignments": ASSIGNMENTS,
    "anonymous": BOOL,
    "muted": BOOL,
    "answered": BOOL,
    "pinned": BOOL,
    "state": ENUM,
    "kind": ENUM,
    "mode": ENUM,
}
ENUMS = {
    "state": ("open", "live", "ended"),
    "kind": ("single", "multiple"),
    "mode": ("random", "manual"),
}
# The JSON types a field may hold (an enum's strings are all wrong but the listed ones).
RIGHT_TYPES = {
    ID: {"int"},
    SEQ: {"int"},
    TEXT: {"str"},
    BOOL: {"bool"},
    ENUM: set(),
    IDS: {"list"},
    TEXTS: {"list"},
    ASSIGNMENTS: {"dict"},
    ROOM: {"int", "null"},
}
TEXT_LIMITS = {"chat.send": 2000, "rooms.broadcast": 2000, "question.ask": 1000, "poll.create": 300}
# Well-formed values; every frame below breaks exactly one thing about a message built of them.
# rooms.assign is "manual", so a broken assignment can never fall back to a random one.
WELL_FORMED = {
    ID: 1,
    SEQ: 0,
    TEXT: "Hello",
    BOOL: True,
    IDS: [1],
    TEXTS: ["Yes", "No"],
    ASSIGNMENTS: {"1": None},
    ROOM: None,
}
WELL_FORMED_ENUM = {"state": "ended", "kind": "single", "mode": "manual"}
EVERY_ENUM_VALUE = {value for values in ENUMS.values() for value in values}


def is_one_of(value, names):
    return isinstance(value, str) and value in names


def well_formed(name):
    return WELL_FORMED_ENUM[name] if FIELDS[name] == ENUM else WELL_FORMED[FIELDS[name]]


def fields_of(kind):
    _who, required, optional = SCHEMAS[kind]
    return list(required), list(optional)


def every_field(kind):
    required, optional = fields_of(kind)
    return required + optional


def base_message(kind):
    required, _optional = fields_of(kind)
    message = {"type": kind, **{name: well_formed(name) for name in required}}
    if kind == "rooms.assign":
        message["assignments"] = {"1": None}
    return message


def wrong_type(name):
    wrong = [t for t in OF_TYPE if t not in RIGHT_TYPES[FIELDS[name]]]
    return st.sampled_from(wrong).flatmap(
        lambda t: OF_TYPE[t].filter(lambda v: not is_one_of(v, EVERY_ENUM_VALUE))
    )


bad_id = st.integers(max_value=0) | st.integers(min_value=2**63)


def bad_value(kind, name):
    """The right JSON type and a value the protocol refuses, or None when there is none."""
    field = FIELDS[name]
    if field in (ID, ROOM):
        return bad_id
    if field == SEQ:
        return st.integers(max_value=-1) | st.integers(min_value=2**63)
    if field == TEXT:
        return st.tuples(st.integers(TEXT_LIMITS[kind] + 1, 9000), st.sampled_from("xé\x00")).map(
            lambda pair: pair[1] * pair[0]
        )
    if field == ENUM:
        return odd_text.filter(lambda v: not is_one_of(v, EVERY_ENUM_VALUE))
    if field == IDS:
        return st.one_of(
            st.just([]),
            st.lists(st.integers(1, 2**62), min_size=21, max_size=40),
            st.lists(bad_id | st.booleans() | st.none() | st.floats() | odd_text, min_size=1),
        )
    if field == TEXTS:
        return st.one_of(
            st.just([]),
            st.lists(st.just("a"), min_size=21, max_size=40),
            st.lists(st.integers() | st.booleans() | st.none(), min_size=1, max_size=3),
            st.lists(st.integers(201, 400).map(lambda n: "o" * n), min_size=1, max_size=3),
        )
    if field == ASSIGNMENTS:
        # Keys are user ids in decimal; "²" is a digit to str.isdigit but not a number to int().
        keys = (odd_text | st.sampled_from(["²", "¹²", "", " 1", "1.5", "-1", "1e3"])).filter(
            lambda k: not k.isdecimal()
        )
        bad_room = bad_id | st.booleans() | st.floats() | odd_text | st.lists(st.integers())
        return st.one_of(
            st.dictionaries(keys, st.none() | st.integers(1, 2**62), min_size=1, max_size=3),
            st.dictionaries(st.integers(1, 2**62).map(str), bad_room, min_size=1, max_size=3),
        )
    return None


@st.composite
def malformed_live_frames(draw):
    """(the type sent, frame): one thing wrong with an otherwise well-formed message."""
    kind = draw(st.sampled_from(sorted(SCHEMAS)))
    required, optional = fields_of(kind)
    fields = required + optional
    message = base_message(kind)
    ways = ["extra", "nested", "type", "garbage"]
    if fields:
        ways.append("wrong type")
    if [name for name in fields if bad_value(kind, name) is not None]:
        ways.append("bad value")
    if required:
        ways.append("missing")
    way = draw(st.sampled_from(ways))
    depth, opener = 0, "["
    if way == "garbage":
        return None, draw(garbage_frames)
    if way == "wrong type":
        name = draw(st.sampled_from(fields))
        message[name] = draw(wrong_type(name))
    elif way == "bad value":
        name = draw(st.sampled_from([n for n in fields if bad_value(kind, n) is not None]))
        message[name] = draw(bad_value(kind, name))
    elif way == "missing":
        del message[draw(st.sampled_from(required))]
    elif way == "extra":
        name = draw(odd_text.filter(lambda k: k not in fields and k != "type"))
        huge = st.integers(MAX_FRAME, 3 * MAX_FRAME).map(lambda n: "x" * n)
        message[name] = draw(json_values | huge)
    elif way == "nested":
        name = draw(st.sampled_from([*fields, "type", "an extra field"]))
        message[name] = NEST
        depth, opener = draw(st.integers(1, 4000)), draw(st.sampled_from("[{"))
    elif way == "type":
        other = st.sampled_from([kind.upper(), f" {kind}", f"{kind}\x00", kind[:-1]])
        message["type"] = draw(other | json_values.filter(lambda v: not is_one_of(v, SCHEMAS)))
    binary = draw(st.booleans())
    sent = message.get("type")  # what the error frame may name as the request
    if not isinstance(sent, str) or sent == NEST:
        sent = None
    return sent, as_frame(frame_text(message, depth, opener), binary)


def _furnish(event, facilitator, participant):
    """One of everything in a live session; returns the ids a message may point at."""
    services.change_state(actor=facilitator, event=event, state="live")
    message = services.send_chat(actor=participant, event=event, text="Hello")
    question = services.ask_question(actor=participant, event=event, text="Why?")
    poll = services.create_poll(
        actor=facilitator, event=event, question="Ready?", kind="single", options=["Yes", "No"]
    )
    services.open_poll(actor=facilitator, event=event, poll_id=poll.pk)
    services.raise_hand(actor=participant, event=event)
    services.create_rooms(actor=facilitator, event=event, count=2)
    room = LiveSession.objects.get(event=event).rooms.first()
    return {
        "user_id": participant.pk,
        "message_id": message.pk,
        "question_id": question.pk,
        "poll_id": poll.pk,
        "option_ids": [poll.options.first().pk],
        "room_id": room.pk,
    }


def furnish(world):
    """This session, live and furnished, and another network's session furnished alike."""
    home = _furnish(world.event, world.facilitator, world.bola)
    steward = make_user(display_name="Sam Steward")
    enrol_totp(steward)
    network = make_network(steward=steward, slug="elsewhere")
    facilitator = add_member(network, make_user(display_name="Fola Facilitator"))
    enrol_totp(facilitator)
    member = add_member(network, make_user(display_name="Mina Member"))
    start = timezone.now() + timedelta(days=1)
    event = event_services.create_event(
        actor=steward,
        networks=[network],
        title="Another network's session",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=10,
        facilitators=[facilitator],
        publish=True,
    )
    event_services.register(actor=member, event=event)
    return home, _furnish(event, facilitator, member)


async def send(comm, frame):
    """A text or binary frame, as the server hands it on (send_to refuses an empty one)."""
    key = "bytes" if isinstance(frame, bytes) else "text"
    await comm.send_input({"type": "websocket.receive", key: frame})


async def next_output(comm, timeout=3):
    """receive_output, except that a consumer that died says so at once, not at the timeout."""
    deadline = time.monotonic() + timeout
    while comm.output_queue.empty() and not comm.future.done():
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.002)
    return await comm.receive_output(0.01)


async def next_frame(comm, timeout=3):
    """The next frame, passing over presence (people coming and going is not an answer)."""
    while True:
        output = await next_output(comm, timeout)
        assert output["type"] == "websocket.send", f"the socket closed: {output}"
        frame = json.loads(output["text"])
        if not frame["type"].startswith("presence"):
            return frame


def assert_error(reply, kind=None):
    """An error frame; naming the request, when it names one, by the type that was sent."""
    assert reply["type"] == "error", reply
    assert isinstance(reply["message"], str) and reply["message"], reply
    assert set(reply) <= {"type", "message", "request"}, reply
    if "request" in reply:
        assert kind is not None and reply["request"] == kind[:40], reply


class LiveSockets:
    """A facilitator's and a participant's socket, kept open from one example to the next.

    A failed example forgets its socket (it may be dead), so the next one opens a fresh one.
    """

    def __init__(self, world, open_socket, ids, names):
        self.world, self.open_socket = world, open_socket
        self.home, self.foreign = ids
        self.people = {"facilitator": world.facilitator, "participant": world.alice}
        self.names = {role: names[user.pk] for role, user in self.people.items()}
        self.current, self.opened = {}, []

    async def get(self, role):
        if role not in self.current:
            socket = await self.open_socket(self.people[role], self.world.event)
            self.opened.append(socket)
            self.current[role] = socket
        return self.current[role]

    async def refused(self, role, frame, kind=None):
        """The frame gets one error frame, changes nothing, and a valid message still works."""
        socket = await self.get(role)
        try:
            before = await sync_to_async(table_fingerprint)()
            await send(socket.comm, frame)
            assert_error(await next_frame(socket.comm), kind)
            assert await sync_to_async(table_fingerprint)() == before
            await socket.send(FRESH)
            answer = await next_frame(socket.comm)
            assert answer["type"] == "snapshot", answer
        except BaseException:
            self.current.pop(role, None)
            raise

    async def answered(self, role, frame, kind):
        """Refused (an error frame, nothing changed) or done (its broadcast arrives); then a
        valid message still works. Broadcasts of the other person's messages may pass by."""
        socket = await self.get(role)
        try:
            before = await sync_to_async(table_fingerprint)()
            await send(socket.comm, frame)
            while True:
                reply = await next_frame(socket.comm)
                if reply["type"] == "error":
                    assert_error(reply, kind)
                    assert await sync_to_async(table_fingerprint)() == before
                    break
                if self.is_own(reply, kind, role):
                    break
            await socket.send(FRESH)
            while (await next_frame(socket.comm))["type"] != "snapshot":
                pass
        except BaseException:
            self.current.pop(role, None)
            raise

    def is_own(self, reply, kind, role):
        """The broadcast that says this person's message was done."""
        if reply["type"] != DONE_AS[kind]:
            return False
        if kind == "question.ask":
            return reply["question"]["author"] == self.names[role]
        if kind == "poll.create":
            return True  # only facilitators may create polls
        return reply["author"]["id"] == self.people[role].pk


@pytest.fixture
async def live_sockets(lw, sockets):  # noqa: F811 (the fixtures imported above)
    ids = await sync_to_async(furnish)(lw)
    names = await sync_to_async(
        lambda: {u.pk: u.display_name for u in (lw.facilitator, lw.alice)}
    )()
    holder = LiveSockets(lw, sockets, ids, names)
    yield holder
    await close_all(*holder.opened)


def test_the_fuzz_knows_every_field_of_the_live_protocol():
    names = {name for kind in SCHEMAS for name in every_field(kind)}
    assert names == set(FIELDS)
    with_text = {kind for kind in SCHEMAS if TEXT in {FIELDS[n] for n in every_field(kind)}}
    assert with_text == set(TEXT_LIMITS)


async def test_every_wrong_json_type_in_every_field_missing_and_extra_fields(live_sockets):
    """Every type, every field, every wrong JSON type, each required field left out and an
    unknown field added: an error frame naming the field, as facilitator and as participant."""
    cases = []
    for kind in sorted(SCHEMAS):
        required, optional = fields_of(kind)
        for name in required + optional:
            for json_type, value in SAMPLE.items():
                if json_type not in RIGHT_TYPES[FIELDS[name]]:
                    cases.append((kind, name, {**base_message(kind), name: value}))
        for name in required:
            message = base_message(kind)
            del message[name]
            cases.append((kind, name, message))
        cases.append((kind, "colour", {**base_message(kind), "colour": "red"}))
    for role in LIVE_ROLES:  # connecting marks attendance: open both before looking
        await live_sockets.get(role)
    before = await sync_to_async(table_fingerprint)()
    for role in LIVE_ROLES:
        socket = await live_sockets.get(role)
        for kind, name, message in cases:
            await socket.send(message)
            reply = await next_frame(socket.comm)
            assert_error(reply, kind)
            assert reply.get("request") == kind and name in reply["message"], (message, reply)
    assert await sync_to_async(table_fingerprint)() == before
    for role in LIVE_ROLES:
        await live_sockets.refused(role, "[]")
    assert len(cases) > 200


# Frames that brought the consumer down when this file was written: always tried first.
DEEP = "[" * 4000 + "]" * 4000  # well inside 8 KiB, far past Python's recursion limit
ASSIGN = {"type": "rooms.assign", "mode": "manual"}


@FUZZ
@given(case=malformed_live_frames())
@example(case=(None, '{"type": [], "message_id": 1}'))
@example(case=(None, DEEP))
@example(
    case=("chat.send", json.dumps({"type": "chat.send", "text": NEST}).replace(NEST_JSON, DEEP))
)
@example(case=("rooms.assign", json.dumps({**ASSIGN, "assignments": {"²": None}})))
@example(case=("rooms.assign", json.dumps({**ASSIGN, "assignments": {"9" * 4400: None}})))
async def test_malformed_live_messages_are_refused_and_change_nothing(live_sockets, case):
    kind, frame = case
    for role in LIVE_ROLES:
        await live_sockets.refused(role, frame, kind)


# Which ids each type carries, and how to point them at another session or at nothing.
POINTS_AT = {
    "hand.lower": ["user_id"],
    "question.upvote": ["question_id"],
    "poll.vote": ["poll_id", "option_ids"],
    "chat.hide": ["message_id"],
    "participant.mute": ["user_id"],
    "participant.remove": ["user_id"],
    "hand.call": ["user_id"],
    "question.answer": ["question_id"],
    "question.pin": ["question_id"],
    "question.hide": ["question_id"],
    "poll.open": ["poll_id"],
    "poll.close": ["poll_id"],
    "rooms.assign": ["assignments.user", "assignments.room"],
    "rooms.visit": ["room_id"],
}

ID_OF = {"assignments.user": "user_id", "assignments.room": "room_id"}


def test_every_type_that_carries_an_id_is_pointed_elsewhere():
    carrying = {
        kind
        for kind in SCHEMAS
        for name in every_field(kind)
        if FIELDS[name] in (ID, IDS, ROOM, ASSIGNMENTS) and name not in ("count", "minutes")
    }
    assert carrying == set(POINTS_AT)


@FUZZ
@given(data=st.data())
async def test_ids_of_another_sessions_objects_are_refused(live_sockets, data):
    """Well-formed messages whose ids belong to another network's session, or to nothing."""
    kind = data.draw(st.sampled_from(sorted(POINTS_AT)), label="kind")
    home, foreign = live_sockets.home, live_sockets.foreign
    missing = {name: 2**63 - 1 for name in home} | {"option_ids": [2**63 - 1]}
    chosen = data.draw(st.sets(st.sampled_from(POINTS_AT[kind]), min_size=1), label="elsewhere")
    ids = {}
    for name in POINTS_AT[kind]:
        source = home
        if name in chosen:
            source = data.draw(st.sampled_from([foreign, missing]), label=name)
        ids[name] = source[ID_OF.get(name, name)]
    message = {"type": kind}
    _required, optional = fields_of(kind)
    if kind == "rooms.assign":
        assignment = {str(ids["assignments.user"]): ids["assignments.room"]}
        message |= {"mode": "manual", "assignments": assignment}
    else:
        message |= ids
    if "muted" in optional:
        message["muted"] = data.draw(st.booleans())
    for role in LIVE_ROLES:
        await live_sockets.refused(role, json.dumps(message), kind)


# Text that is valid JSON but not valid everywhere: a NUL (which PostgreSQL refuses in text),
# lone surrogates (which are not UTF-8), control characters and bidi overrides. The protocol
# may refuse such text or take it; it may not fall over.
DONE_AS = {
    "chat.send": "chat.message",
    "question.ask": "question.asked",
    "poll.create": "poll.created",
    "rooms.broadcast": "rooms.message",
}


@st.composite
def odd_text_messages(draw):
    kind = draw(st.sampled_from(sorted(DONE_AS)))
    text = draw(nasty_text)
    if kind != "poll.create":
        return kind, {"type": kind, "text": text}
    if draw(st.booleans()):
        return kind, {"type": kind, "question": text, "kind": "single", "options": ["Y", "N"]}
    return kind, {"type": kind, "question": "Ready?", "kind": "single", "options": [text, "N"]}


@FUZZ
@given(case=odd_text_messages(), binary=st.booleans())
@example(case=("chat.send", {"type": "chat.send", "text": "\ud800"}), binary=False)
@example(case=("question.ask", {"type": "question.ask", "text": "a\udfffb"}), binary=True)
@example(case=("chat.send", {"type": "chat.send", "text": "a\x00b"}), binary=False)
@example(
    case=(
        "poll.create",
        {"type": "poll.create", "question": "Q\x00", "kind": "single", "options": ["Y", "N"]},
    ),
    binary=False,
)
async def test_odd_characters_in_text_are_refused_or_taken_never_a_crash(
    live_sockets, case, binary
):
    kind, message = case
    # A binary frame carries any bytes: here the text unescaped, lone surrogates and all.
    text = json.dumps(message, ensure_ascii=not binary)
    for role in LIVE_ROLES:
        await live_sockets.answered(role, as_frame(text, binary), kind)


# The forum topic and the notification badge ------------------------------------------------------

REFUSED = "refused"


async def connect(user, path):
    cookie = await sync_to_async(session_cookie)(user)
    headers = [*HEADERS, (b"cookie", f"sessionid={cookie}".encode())]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


@st.composite
def forum_frames(draw):
    """(frame, answer): REFUSED, or the last_seq whose replay `resume` must send.

    `resume` takes a whole number from 0 (or none, meaning 0) as last_seq, as the live socket
    does, and ignores other fields; everything else is refused with an error frame.
    """
    ways = ["garbage", "type", "number", "no number", "not a number", "huge", "nested"]
    way = draw(st.sampled_from(ways))
    if way == "garbage":
        return draw(garbage_frames), REFUSED
    message, answer, depth = {"type": "resume"}, REFUSED, 0
    if way == "type":
        other = st.sampled_from(["Resume", "resume ", "resume\x00", "post", "snapshot"])
        message["type"] = draw(other | json_values.filter(lambda v: v != "resume"))
    elif way == "number":
        finite = st.floats(allow_nan=False, allow_infinity=False)
        value = draw(st.integers() | st.integers().map(str) | st.booleans() | finite)
        message["last_seq"] = value
        if type(value) is int and 0 <= value < 2**63:
            answer = value
    elif way == "no number":
        answer = 0  # no last_seq at all: from the start
    elif way == "not a number":
        digitless = st.text(st.characters(exclude_categories=["Nd"]) | st.sampled_from(NASTY))
        message["last_seq"] = draw(
            digitless
            | st.sampled_from([float("nan"), float("inf"), float("-inf")])
            | st.none()
            | st.lists(json_scalars, max_size=3)
            | st.dictionaries(odd_text, json_scalars, max_size=3)
        )
    elif way == "huge":
        message["last_seq"] = 0
        message[draw(odd_text)] = "x" * draw(st.integers(MAX_FRAME, 3 * MAX_FRAME))
    elif way == "nested":
        message["last_seq"] = NEST
        depth = draw(st.integers(1, 4000))
    if answer != REFUSED and draw(st.booleans()):  # unknown fields change nothing
        extra = st.dictionaries(odd_text.filter(lambda k: k not in message), json_values)
        message |= draw(extra)
    text = frame_text(message, depth, draw(st.sampled_from("[{")))
    if len(text.encode()) > MAX_FRAME:
        answer = REFUSED
    return as_frame(text, draw(st.booleans())), answer


def forum_topic(world):
    """A topic of three posts numbered 1, 2, 3: `resume` after n replays posts n+1 on."""
    topic = world.topic(user=world.author, title="Board papers", body="One")
    for body in ("Two", "Three"):
        forum_services.reply(actor=world.peer, topic=topic, body=body)
    return topic.pk


def forum_people(world):
    return {"member": world.peer, "moderator": world.moderator}


class ForumSockets:
    """A member's and a moderator's topic sockets, and the full replay each was sent."""

    def __init__(self, people, topic_id):
        self.people = people
        self.path = f"/ws/forums/topics/{topic_id}/"
        self.current, self.replays = {}, {}

    async def get(self, role):
        if role not in self.current:
            communicator = await connect(self.people[role], self.path)
            await communicator.send_json_to({"type": "resume", "last_seq": 0})
            replay = [await next_frame(communicator) for _ in range(3)]
            assert [(m["type"], m["seq"]) for m in replay] == [("post", n) for n in (1, 2, 3)]
            self.current[role], self.replays[role] = communicator, replay
        return self.current[role]

    async def answers(self, role, frame, answer):
        socket = await self.get(role)
        replay = self.replays[role]
        try:
            before = await sync_to_async(table_fingerprint)()
            await send(socket, frame)
            if answer == REFUSED:
                assert_error(await next_frame(socket))
            else:
                assert [await next_frame(socket) for _ in replay[answer:]] == replay[answer:]
            assert await sync_to_async(table_fingerprint)() == before
            await socket.send_json_to({"type": "resume", "last_seq": 0})
            assert [await next_frame(socket) for _ in replay] == replay
        except BaseException:
            self.current.pop(role, None)
            raise


@pytest.fixture
async def forum_sockets(space):  # noqa: F811 (the fixture imported above)
    topic_id = await sync_to_async(forum_topic)(space)
    holder = ForumSockets(forum_people(space), topic_id)
    yield holder
    for communicator in holder.current.values():
        # No answer came twice: a marker resume sent now is answered by the very next frame.
        await communicator.send_json_to({"type": "resume", "last_seq": 2})
        marker = await next_frame(communicator, timeout=10)
        assert (marker["type"], marker.get("seq")) == ("post", 3), marker
        await communicator.disconnect()


@FUZZ
@given(case=forum_frames())
@example(case=('{"type": "resume", "last_seq": Infinity}', REFUSED))
@example(case=('{"type": "resume", "last_seq": -1e400}', REFUSED))
@example(case=('{"type": "resume", "last_seq": NaN}', REFUSED))
async def test_malformed_resume_on_the_forum_socket_is_refused_or_replays(forum_sockets, case):
    frame, answer = case
    for role in FORUM_ROLES:
        await forum_sockets.answers(role, frame, answer)


def with_binary(frame):
    """A text frame as it is, or its bytes in a binary frame."""
    if isinstance(frame, bytes):
        return st.just(frame)
    return st.sampled_from([frame, as_frame(frame, True)])


notification_frames = st.one_of(
    garbage_frames,
    st.builds(
        lambda kind, fields: json.dumps({**fields, "type": kind}),
        odd_text | st.sampled_from(["resume", "read", "notification.new", "unread"]),
        st.dictionaries(odd_text, json_values, max_size=4),
    ),
).flatmap(with_binary)


class NotificationSockets:
    """A member's and a moderator's badge sockets, and the unread count each was sent."""

    def __init__(self, people):
        self.people = people
        self.current, self.unread = {}, {}

    async def get(self, role):
        if role not in self.current:
            communicator = await connect(self.people[role], "/ws/notifications/")
            first = await next_frame(communicator)
            assert first["type"] == "unread", first
            self.current[role], self.unread[role] = communicator, first
        return self.current[role]

    async def refused(self, role, frame):
        socket = await self.get(role)
        try:
            before = await sync_to_async(table_fingerprint)()
            await send(socket, frame)
            assert_error(await next_frame(socket))
            assert await sync_to_async(table_fingerprint)() == before
            bell = {"type": "notification.new"}
            await get_channel_layer().group_send(live.user_group(self.people[role].pk), bell)
            assert await next_frame(socket) == self.unread[role]
        except BaseException:
            self.current.pop(role, None)
            raise


@pytest.fixture
async def notification_sockets(space):  # noqa: F811 (the fixture imported above)
    holder = NotificationSockets(forum_people(space))
    yield holder
    for role, communicator in holder.current.items():
        # No answer came twice: a marker frame, then a bell, are answered by the next two frames
        # (a late extra answer would come first and shift them).
        await communicator.send_json_to({"type": "test.marker"})
        assert (await next_frame(communicator, timeout=10))["type"] == "error"
        bell = {"type": "notification.new"}
        await get_channel_layer().group_send(live.user_group(holder.people[role].pk), bell)
        assert (await next_frame(communicator, timeout=10))["type"] == "unread"
        await communicator.disconnect()


@FUZZ
@given(frame=notification_frames)
async def test_anything_sent_to_the_notification_socket_gets_an_error_frame(
    notification_sockets, frame
):
    """It only listens: every frame is refused, and the next bell still brings the count."""
    for role in FORUM_ROLES:
        await notification_sockets.refused(role, frame)
