"""The one gate (DESIGN.md rule 11) on every forum channel, and sessions that end everywhere.

"May this person see this network's content now" is community.policies.networks_open_to /
may_see_network_content; these tests walk the channels that carry a network's content (page,
socket frame, search result, library, notice and e-mail) as a member who has not accepted the
current agreement, and the paths that end a session (sign-out, a password change elsewhere,
the session list, erasure, removal) with a topic socket open. Absence is proved by a marker
that arrives after the thing that must not.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import Client
from django.urls import reverse

from community import data as community_data
from community import policies as community_policies
from community import services as community_services
from confide.asgi import application
from forums import policies, services
from forums.models import TopicKind
from tests.factories import PASSWORD, add_member, make_network, make_user

WAIT = 10  # seconds: generous, so a slow runner does not fail correct code


def signed_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def signed_in_with_password(user):
    """A real sign-in (allauth records the session in its session list)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


async def open_topic_socket(client, topic_id):
    communicator = WebsocketCommunicator(
        application,
        f"/ws/forums/topics/{topic_id}/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
    )
    connected, code = await communicator.connect(timeout=WAIT)
    return communicator, connected, code


async def socket_for(user, topic_id):
    client = await sync_to_async(signed_in_client)(user)
    communicator, connected, _ = await open_topic_socket(client, topic_id)
    assert connected
    return client, communicator


async def assert_closed_with(communicator, code):
    """The next frame is the close (so nothing was sent before it), with this code."""
    output = await communicator.receive_output(timeout=WAIT)
    assert output["type"] == "websocket.close", output
    assert output["code"] == code


async def reply_seen_by_marker(space, topic, marker, body):
    """Post a reply and wait until the marker connection has it: anything the closed socket
    would have been sent for it has been sent by now."""
    post = await sync_to_async(services.reply)(actor=space.author, topic=topic, body=body)
    while True:
        message = await marker.receive_json_from(timeout=WAIT)
        if message.get("post_id") == post.pk:
            return post


def pending_agreement(space):
    """Every member must accept again: a new version of the network's agreement."""
    community_services.update_agreement(
        actor=space.steward, network=space.network, text="A new version: what is said stays."
    )


# The gate as a policy ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_gate_is_one_answer_in_both_forms(space):
    newcomer = add_member(space.network, make_user(), accept_agreement=False)
    for user, expected in [
        (space.peer, True),
        (newcomer, False),  # has not accepted the current agreement
        (space.outsider, False),  # not a member
        (space.steward, False),  # runs the network, is not in it: no private content
    ]:
        policies.forget(user)
        assert community_policies.may_see_network_content(user, space.network) is expected
        in_list = community_policies.networks_open_to(user).filter(pk=space.network.pk).exists()
        assert in_list is expected


@pytest.mark.django_db
def test_a_member_who_must_enrol_in_two_factor_is_not_through_the_gate(space):
    guarded = make_network(slug="guarded", requires_two_factor=True)
    member = add_member(guarded, make_user())
    assert not community_policies.may_see_network_content(member, guarded)
    from tests.factories import enrol_totp

    enrol_totp(member)
    policies.forget(member)
    assert community_policies.may_see_network_content(member, guarded)


# Sockets ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_resume_from_zero_by_a_member_pending_the_agreement_gets_no_posts_and_closes(space):
    topic = await sync_to_async(space.topic)(title="Board conversations", body="First words")
    await sync_to_async(services.reply)(actor=space.author, topic=topic, body="Second words")
    _client, communicator = await socket_for(space.peer, topic.pk)
    try:
        await sync_to_async(pending_agreement)(space)
        await communicator.send_json_to({"type": "resume", "last_seq": 0})
        await assert_closed_with(communicator, 4403)
    finally:
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_member_pending_the_agreement_cannot_open_a_topic_socket(space):
    topic = await sync_to_async(space.topic)()
    newcomer = await sync_to_async(add_member)(space.network, make_user(), accept_agreement=False)
    client = await sync_to_async(signed_in_client)(newcomer)
    communicator, connected, code = await open_topic_socket(client, topic.pk)
    assert not connected and code == 4404
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_new_agreement_stops_live_posts_at_once(space):
    topic = await sync_to_async(space.topic)()
    _c1, pending = await socket_for(space.peer, topic.pk)
    _c2, marker = await socket_for(space.inner, topic.pk)
    try:
        await sync_to_async(pending_agreement)(space)
        await sync_to_async(community_services.accept_agreement)(
            actor=space.inner, network=space.network
        )
        await reply_seen_by_marker(space, topic, marker, "Not for the pending member")
        await assert_closed_with(pending, 4403)
    finally:
        await pending.disconnect()
        await marker.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_sign_out_closes_an_open_topic_socket(space):
    topic = await sync_to_async(space.topic)()
    client, communicator = await socket_for(space.peer, topic.pk)
    _c, marker = await socket_for(space.inner, topic.pk)
    try:
        response = await sync_to_async(client.post)(reverse("account_logout"))
        assert response.status_code == 302
        await reply_seen_by_marker(space, topic, marker, "After the sign-out")
        await assert_closed_with(communicator, 4401)
    finally:
        await communicator.disconnect()
        await marker.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_password_change_in_session_b_closes_session_a_socket(space):
    topic = await sync_to_async(space.topic)()
    laptop, on_laptop = await socket_for(space.peer, topic.pk)
    phone = await sync_to_async(signed_in_client)(space.peer)
    _c, marker = await socket_for(space.inner, topic.pk)
    try:
        response = await sync_to_async(phone.post)(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a brand new long password 77",
                "password2": "a brand new long password 77",
            },
        )
        assert response.status_code == 302
        await reply_seen_by_marker(space, topic, marker, "After the password change")
        await assert_closed_with(on_laptop, 4401)
        # The session that changed the password goes on.
        on_phone, connected, _ = await open_topic_socket(phone, topic.pk)
        assert connected
        await on_phone.disconnect()
    finally:
        await on_laptop.disconnect()
        await marker.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_ending_a_session_from_the_session_list_closes_its_socket(space):
    topic = await sync_to_async(space.topic)()
    laptop = await sync_to_async(signed_in_with_password)(space.peer)
    on_laptop, connected, _ = await open_topic_socket(laptop, topic.pk)
    assert connected
    phone = await sync_to_async(signed_in_with_password)(space.peer)
    _c, marker = await socket_for(space.inner, topic.pk)
    try:
        response = await sync_to_async(phone.post)(reverse("usersessions_list"))
        assert response.status_code == 302
        await reply_seen_by_marker(space, topic, marker, "After the session ended")
        await assert_closed_with(on_laptop, 4401)
    finally:
        await on_laptop.disconnect()
        await marker.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_message_on_a_socket_whose_session_ended_is_not_acted_on(space):
    """Without any bell (a lost one, say), the next message finds the session gone."""
    topic = await sync_to_async(space.topic)()
    client, communicator = await socket_for(space.peer, topic.pk)
    try:
        from django.contrib.sessions.models import Session

        key = client.cookies["sessionid"].value
        await sync_to_async(Session.objects.filter(session_key=key).delete)()
        await communicator.send_json_to({"type": "resume", "last_seq": 0})
        await assert_closed_with(communicator, 4401)
    finally:
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_erasure_closes_the_topic_socket(space):
    topic = await sync_to_async(space.topic)()
    _client, communicator = await socket_for(space.peer, topic.pk)
    _c, marker = await socket_for(space.inner, topic.pk)
    try:
        await sync_to_async(community_data.erase_user)(actor=space.peer)
        await reply_seen_by_marker(space, topic, marker, "After the erasure")
        await assert_closed_with(communicator, 4403)
    finally:
        await communicator.disconnect()
        await marker.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_removal_closes_the_topic_socket_before_the_next_post(space):
    topic = await sync_to_async(space.topic)()
    _client, communicator = await socket_for(space.peer, topic.pk)
    _c, marker = await socket_for(space.inner, topic.pk)
    try:
        await sync_to_async(community_services.remove_member)(
            actor=space.steward, network=space.network, user=space.peer
        )
        await reply_seen_by_marker(space, topic, marker, "After the removal")
        await assert_closed_with(communicator, 4403)
    finally:
        await communicator.disconnect()
        await marker.disconnect()


# Pages, search, library, notices ----------------------------------------------------------------


@pytest.mark.django_db
def test_search_by_a_member_pending_the_agreement_returns_no_excerpt(space):
    elsewhere = make_network(slug="elsewhere")
    add_member(elsewhere, space.peer)
    other_forum = services.create_forum(actor=None, network=elsewhere, name="Talk", slug="talk")
    space.topic(title="Waiting lists", body="kingfisher alphasecret")
    services.create_topic(
        actor=space.peer, forum=other_forum, title="Data", body="kingfisher betavisible"
    )
    pending_agreement(space)
    page = signed_in_client(space.peer).get(reverse("forums:search"), {"q": "kingfisher"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "betavisible" in html  # the marker: search works for the network still open
    assert "alphasecret" not in html


@pytest.mark.django_db
def test_the_library_leaves_out_a_network_pending_the_agreement(space):
    space.topic(title="Case study kestrel", kind=TopicKind.CASE_STUDY)
    client = signed_in_client(space.peer)
    assert "Case study kestrel" in client.get(reverse("forums:library")).content.decode()
    pending_agreement(space)
    assert "Case study kestrel" not in client.get(reverse("forums:library")).content.decode()


@pytest.mark.django_db
def test_pages_send_a_member_pending_the_agreement_to_it(space):
    topic = space.topic()
    post = services.reply(actor=space.author, topic=topic, body="A reply")
    pending_agreement(space)
    client = signed_in_client(space.peer)
    agreement = reverse("community:agreement", args=[space.network.slug])
    for url in [
        reverse("forums:forum", args=[space.forum.pk]),
        reverse("forums:topic", args=[topic.pk]),
        reverse("forums:post", args=[post.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == agreement, url
    # Acting on a post is refused as well, not only reading it.
    client.post(reverse("forums:post_react", args=[post.pk]), {"kind": "thanks"})
    assert not post.reactions.exists()
    # A forum the member was never granted stays a plain 404, agreement or not.
    assert client.get(reverse("forums:forum", args=[space.narrow.pk])).status_code == 404


@pytest.mark.django_db
def test_forum_notices_and_their_emails_wait_for_the_agreement(
    space, django_capture_on_commit_callbacks
):
    topic = space.topic()
    services.set_watching(actor=space.peer, topic=topic, watching=True)
    services.set_watching(actor=space.inner, topic=topic, watching=True)
    pending_agreement(space)
    community_services.accept_agreement(actor=space.inner, network=space.network)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(actor=space.author, topic=topic, body="News")
    recipients = [address for message in mail.outbox for address in message.to]
    assert space.inner.email in recipients  # the marker: the e-mail was sent to someone
    assert space.peer.email not in recipients
    policies.forget(space.peer)  # answers are cached per user object, as for one request
    assert not [
        n
        for n in community_policies.visible_notifications(space.peer, 50)
        if n.kind == "forum_reply"
    ]
