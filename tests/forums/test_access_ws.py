"""The forum topic socket, /ws/forums/topics/<id>/: who may connect, and who may send what.

Only people who may read the topic's forum connect; everyone else is closed with 4404, as for
a topic that does not exist, and a visitor who is not signed in with 4401. The socket has one
message type, `resume`, answered with the posts after `last_seq`; any other type gets an error
frame (the accepted types come from the consumer's own table, forums.consumers.MESSAGE_TYPES).
Someone who loses the forum while connected is closed with 4403 at their next `resume`.
The steward runs the network but is not a member: stewards never read members' conversations.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from confide.asgi import application
from events.live.consumers import SCHEMAS as LIVE_SCHEMAS
from forums import policies, services
from forums.consumers import MESSAGE_TYPES as CONSUMER_TYPES
from tests.factories import add_member, make_network, make_user
from tests.live.conftest import HEADERS, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

OK, ERROR = "ok", "error"
CONNECTED = "connected"
ROLES = (
    "anonymous",
    "outsider",
    "member of another network",
    "member",
    "member of the circle",
    "moderator",
    "steward",
)
# The answer on connecting, to a topic in a forum for all the network's members and to one in
# a forum for a narrower group of members (the circle); moderators read every forum.
CONNECT = {
    "network forum": {
        "anonymous": 4401,
        "outsider": 4404,
        "member of another network": 4404,
        "member": CONNECTED,
        "member of the circle": CONNECTED,
        "moderator": CONNECTED,
        "steward": 4404,
    },
    "circle forum": {
        "anonymous": 4401,
        "outsider": 4404,
        "member of another network": 4404,
        "member": 4404,
        "member of the circle": CONNECTED,
        "moderator": CONNECTED,
        "steward": 4404,
    },
}
# Message types, for everyone who connects (no one else can send any). The types the consumer
# accepts come from its own dispatch table (forums.consumers.MESSAGE_TYPES): each must have a row
# here, so a new type that answered with any post's body could not pass unnoticed.
READERS = ("member", "member of the circle", "moderator")
ACCEPTED = {"resume": dict.fromkeys(READERS, OK)}
# This socket's own frames, and a sample of the live socket's types, are not messages here.
FOREIGN = ["post", "snapshot", "chat.send", "poll.create"]
MESSAGE_TYPES = {**ACCEPTED, **{kind: dict.fromkeys(READERS, ERROR) for kind in FOREIGN}}


def test_every_message_type_the_consumer_accepts_has_a_row():
    assert set(CONSUMER_TYPES) == set(ACCEPTED)
    assert not set(CONSUMER_TYPES) & set(FOREIGN)
    assert set(FOREIGN[2:]) <= set(LIVE_SCHEMAS)


def people(space):
    other = make_network(slug="elsewhere")
    return {
        "anonymous": None,
        "outsider": space.outsider,
        "member of another network": add_member(other, make_user(display_name="Ola Other")),
        "member": space.peer,
        "member of the circle": space.inner,
        "moderator": space.moderator,
        "steward": space.steward,
    }


def topics(space):
    """A topic of two posts in each forum; `resume` from 0 sends both."""
    made = {}
    for name, forum, author in [
        ("network forum", space.forum, space.author),
        ("circle forum", space.narrow, space.inner),
    ]:
        topic = space.topic(user=author, forum=forum, title=f"In the {name}", body="First")
        services.reply(actor=space.moderator, topic=topic, body="Second")
        made[name] = topic.pk
    return made


async def connect(user, topic_id):
    headers = list(HEADERS)
    if user is not None:
        cookie = await sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(
        application, f"/ws/forums/topics/{topic_id}/", headers=headers
    )
    connected, code = await communicator.connect()
    return communicator, CONNECTED if connected else code


async def answer(communicator, kind):
    """OK when `kind` brings back the topic's two posts; ERROR for an error frame and nothing else.

    Nothing else is proven by a marker: a `resume` from 1 sent after, whose one post must be the
    very next frame.
    """
    await communicator.send_json_to({"type": kind, "last_seq": 0})
    first = await communicator.receive_json_from(timeout=10)
    if first["type"] == "error":
        await communicator.send_json_to({"type": "resume", "last_seq": 1})
        marker = await communicator.receive_json_from(timeout=10)
        assert (marker["type"], marker.get("seq")) == ("post", 2), marker
        return ERROR
    second = await communicator.receive_json_from(timeout=10)
    assert [(m["type"], m["seq"]) for m in (first, second)] == [("post", 1), ("post", 2)]
    return OK


@pytest.mark.parametrize("forum", CONNECT)
async def test_who_may_connect_and_what_each_may_send(forum, space):
    everyone = await sync_to_async(people)(space)
    topic_id = (await sync_to_async(topics)(space))[forum]
    connects, answers = {}, {}
    for role in ROLES:
        communicator, connects[role] = await connect(everyone[role], topic_id)
        if connects[role] == CONNECTED:
            for kind in MESSAGE_TYPES:
                answers[kind, role] = await answer(communicator, kind)
        await communicator.disconnect()
    assert connects == CONNECT[forum]
    expected = {
        (kind, role): MESSAGE_TYPES[kind][role]
        for kind in MESSAGE_TYPES
        for role in READERS
        if CONNECT[forum][role] == CONNECTED
    }
    assert answers == expected


async def test_a_topic_that_does_not_exist_closes_like_a_forbidden_one(space):
    communicator, code = await connect(space.peer, 987654321)
    assert code == 4404
    await communicator.disconnect()


async def test_resume_after_losing_the_forum_closes_with_4403(space):
    topic_id = (await sync_to_async(topics)(space))["circle forum"]
    communicator, code = await connect(space.inner, topic_id)
    assert code == CONNECTED

    def leave_the_circle():
        space.inner.groups.remove(space.circle)
        policies.forget(space.inner)

    await sync_to_async(leave_the_circle)()
    await communicator.send_json_to({"type": "resume", "last_seq": 0})
    output = await communicator.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()
