"""The live topic page over /ws/forums/topics/<id>/ (real router, real channel layer)."""

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from community import services as community_services
from confide.asgi import application
from forums import services
from tests.forums.test_anonymity import assert_absent
from tests.xss_corpus import PAYLOADS, assert_inert

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_TAGS = {
    "article", "header", "form", "footer", "h3", "span", "time", "p", "div", "input", "button",
    "a", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "br",
}  # fmt: skip
PAGE_ATTRIBUTES = {
    "*": {"class", "id", "data-seq", "aria-labelledby", "aria-pressed"},
    "time": {"datetime"},
    "form": {"method", "action"},
    "input": {"type", "name", "value"},
    "button": {"type", "name", "value"},
    "a": {"href", "rel"},
}


OUR_FORMS = re.compile(
    r'<form method="post" action="/forums/posts/\d+/[a-z]+/" class="inline-form">'
)


def assert_fragment_inert(html):
    """Inert apart from the page's own post forms (whose action is fixed by the template)."""
    html = OUR_FORMS.sub("<div>", html).replace("</form>", "</div>")
    assert_inert(html, tags=PAGE_TAGS, attributes=PAGE_ATTRIBUTES, allow_relative_urls=True)


def cookie_for(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def connect(user, topic_id):
    cookie = await sync_to_async(cookie_for)(user)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/forums/topics/{topic_id}/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_outsiders_and_missing_topics_are_refused(space):
    topic = await sync_to_async(space.topic)()
    for user, topic_id in [(space.outsider, topic.pk), (space.peer, topic.pk + 999)]:
        communicator, connected, code = await connect(user, topic_id)
        assert not connected and code == 4404
        await communicator.disconnect()


async def test_a_new_anonymous_reply_arrives_live_with_the_pseudonym_only(space):
    topic = await sync_to_async(space.topic)(user=space.peer)
    communicator, connected, _ = await connect(space.peer, topic.pk)
    assert connected
    try:
        post = await sync_to_async(services.reply)(
            actor=space.author, topic=topic, body="Speaking *frankly*", anonymous=True
        )
        message = await communicator.receive_json_from(timeout=5)
        assert message["type"] == "post" and message["post_id"] == post.pk
        assert message["seq"] == post.seq
        assert "Anonymous member 1" in message["html"]
        assert "<em>frankly</em>" in message["html"]
        assert_absent(space.author, repr(message), "WebSocket payload")
    finally:
        await communicator.disconnect()


async def test_resume_replays_what_was_missed_in_order(space):
    topic = await sync_to_async(space.topic)(user=space.peer)
    first = await sync_to_async(services.reply)(actor=space.author, topic=topic, body="One")
    second = await sync_to_async(services.reply)(actor=space.author, topic=topic, body="Two")
    await sync_to_async(services.edit_post)(actor=space.author, post=first, body="One, edited")
    communicator, connected, _ = await connect(space.peer, topic.pk)
    try:
        await communicator.send_json_to({"type": "resume", "last_seq": 1})
        messages = [await communicator.receive_json_from(timeout=5) for _ in range(3)]
        # seq 2 was the first reply's, which took seq 4 when edited: a snapshot fills the hole.
        assert [(m["type"], m["seq"]) for m in messages] == [
            ("snapshot", 2),
            ("post", 3),
            ("post", 4),
        ]
        assert messages[1]["post_id"] == second.pk and "One, edited" in messages[2]["html"]
        # Nothing more: a marker resume sent now is answered by the very next frame.
        await communicator.send_json_to({"type": "resume", "last_seq": 3})
        marker = await communicator.receive_json_from(timeout=10)
        assert (marker["type"], marker["seq"]) == ("post", 4)
    finally:
        await communicator.disconnect()


async def test_removal_from_the_network_closes_the_topic_connection(space):
    topic = await sync_to_async(space.topic)()
    communicator, connected, _ = await connect(space.peer, topic.pk)
    assert connected
    await sync_to_async(community_services.remove_member)(
        actor=None, network=space.network, user=space.peer
    )
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close" and output["code"] == 4403
    await communicator.disconnect()


async def test_a_member_who_lost_the_forum_gets_no_broadcast(space):
    topic = await sync_to_async(space.topic)(user=space.inner, forum=space.narrow)
    communicator, connected, _ = await connect(space.inner, topic.pk)
    assert connected
    await sync_to_async(space.inner.groups.remove)(space.circle)
    await sync_to_async(services.reply)(actor=space.moderator, topic=topic, body="Secret")
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    await communicator.disconnect()


async def test_payloads_in_posts_and_names_are_inert_over_the_websocket(space):
    await sync_to_async(community_services.update_profile)(
        actor=space.author, display_name='"><script>alert(1)</script>'
    )
    topic = await sync_to_async(space.topic)(user=space.peer)
    communicator, connected, _ = await connect(space.peer, topic.pk)
    try:
        for payload in PAYLOADS[:40]:
            await sync_to_async(services.reply)(actor=space.author, topic=topic, body=payload)
            message = await communicator.receive_json_from(timeout=5)
            assert_fragment_inert(message["html"])
    finally:
        await communicator.disconnect()
