"""Posting limits, moderation acts and their audit, live broadcasts after commit."""

import pytest
from django.urls import reverse

from community.models import AuditEvent, Notification
from forums import services
from forums.models import Flag


def test_slow_mode_answers_with_the_wait_not_an_error_page(space, client):
    space.forum.slow_mode_seconds = 120
    space.forum.save()
    topic = space.topic(user=space.peer)
    client.force_login(space.peer)
    response = client.post(
        reverse("forums:topic", args=[topic.pk]), {"body": "Too quick", "action": "post"}
    )
    assert response.status_code == 429
    text = response.content.decode()
    assert "Slow mode is on" in text and "You can post again in" in text
    assert "Too quick" in text, "what they wrote is kept in the form"


def test_the_per_user_rate_limit_says_how_long_to_wait(space, monkeypatch):
    monkeypatch.setattr(services, "RATE_LIMIT_POSTS", 3)
    topic = space.topic(user=space.peer)
    services.reply(actor=space.peer, topic=topic, body="two")
    services.reply(actor=space.peer, topic=topic, body="three")
    with pytest.raises(services.PostingTooSoon) as refused:
        services.reply(actor=space.peer, topic=topic, body="four")
    assert refused.value.wait_seconds > 0
    assert "Please wait" in str(refused.value)


def test_moderators_are_exempt_from_slow_mode(space):
    space.forum.slow_mode_seconds = 600
    space.forum.save()
    topic = space.topic(user=space.moderator)
    services.reply(actor=space.moderator, topic=topic, body="Again")


def test_hidden_post_shows_a_notice_to_members_and_the_text_to_its_author(space, client):
    topic = space.topic(user=space.author, body="Something unkind")
    post = topic.posts.get()
    services.flag_post(actor=space.peer, post=post, reason="abuse")
    with pytest.raises(services.ForumError):
        services.set_post_hidden(actor=space.moderator, post=post, hidden=True, reason="")
    services.set_post_hidden(actor=space.moderator, post=post, hidden=True, reason="Unkind")
    assert AuditEvent.objects.filter(verb="forum.post_hide", target_id=post.pk).exists()
    assert Flag.objects.get(post=post).status == Flag.Status.UPHELD
    assert Notification.objects.filter(user=space.author, kind="forum_post_hidden").exists()
    client.force_login(space.peer)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert "Hidden by a moderator" in page and "Something unkind" not in page
    client.force_login(space.author)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert "Something unkind" in page and "Unkind" in page


def test_lock_pin_move_and_suspend_are_audited(space):
    topic = space.topic(user=space.peer)
    for action in ("lock", "pin", "unpin", "unlock"):
        services.moderate_topic(actor=space.moderator, topic=topic, action=action)
    other = services.create_forum(
        actor=None, network=space.network, name="Other", slug="other", allow_anonymous=True
    )
    services.move_topic(actor=space.moderator, topic=topic, forum=other)
    topic.refresh_from_db()
    assert topic.forum == other
    services.suspend_member(
        actor=space.moderator, network=space.network, user=space.peer, days=2, reason="Pause"
    )
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "forum.topic_lock",
        "forum.topic_pin",
        "forum.topic_move",
        "forum.member_suspend",
    } <= verbs
    with pytest.raises(services.ForumError, match="paused"):
        services.reply(actor=space.peer, topic=topic, body="Hello")


def test_members_cannot_moderate(space):
    topic = space.topic(user=space.author)
    with pytest.raises(services.ForumError):
        services.moderate_topic(actor=space.peer, topic=topic, action="lock")
    with pytest.raises(services.ForumError):
        services.set_post_hidden(actor=space.peer, post=topic.posts.get(), hidden=True, reason="x")


def test_locked_topic_refuses_replies_from_members(space):
    topic = space.topic(user=space.author)
    services.moderate_topic(actor=space.moderator, topic=topic, action="lock")
    with pytest.raises(services.ForumError, match="locked"):
        services.reply(actor=space.peer, topic=topic, body="Hello")


def test_a_reply_notifies_followers_who_can_still_see_the_forum(space):
    topic = space.topic(user=space.author)
    services.reply(actor=space.peer, topic=topic, body="Hello")
    assert Notification.objects.filter(user=space.author, kind="forum_reply").count() == 1
    assert not Notification.objects.filter(user=space.peer, kind="forum_reply").exists()


def test_edits_keep_revisions_and_take_a_new_sequence_number(space):
    topic = space.topic(user=space.author, body="First")
    post = topic.posts.get()
    services.edit_post(actor=space.author, post=post, body="Second")
    post.refresh_from_db()
    assert post.seq == 2 and post.revisions.get().source == "First"
    with pytest.raises(services.ForumError):
        services.edit_post(actor=space.peer, post=post, body="Not mine")


def test_reactions_toggle_and_count(space):
    topic = space.topic(user=space.author)
    post = topic.posts.get()
    assert services.toggle_reaction(actor=space.peer, post=post, kind="helpful") is True
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.helpful_count == 1 and topic.helpful_count == 1
    assert services.toggle_reaction(actor=space.peer, post=post, kind="helpful") is False
    with pytest.raises(services.ForumError):
        services.toggle_reaction(actor=space.author, post=post, kind="thanks")


def _receive(layer, channel, timeout=10):
    """The next message on a channel of the real layer, waiting generously for it."""
    import asyncio

    from asgiref.sync import async_to_sync

    async def receive():
        return await asyncio.wait_for(layer.receive(channel), timeout)

    return async_to_sync(receive)()


def test_reply_broadcasts_after_commit_and_not_before(space, django_capture_on_commit_callbacks):
    """On the real channel layer: nothing reaches the topic's group until the reply commits.

    Absence before the commit is proven by a marker sent to the same group after the reply:
    the marker must be the first thing the listener hears.
    """
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    topic = space.topic(user=space.author)
    group = services.topic_group(topic.pk)
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, listener)
    marker = {"type": "test.marker"}
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post = services.reply(actor=space.peer, topic=topic, body="Live")
            async_to_sync(layer.group_send)(group, marker)
            assert _receive(layer, listener) == marker  # no bell before the commit
        assert _receive(layer, listener) == {"type": "forum.post", "post_id": post.pk, "seq": 2}
    finally:
        async_to_sync(layer.group_discard)(group, listener)


def test_a_reply_that_rolls_back_rings_no_bell(space, django_capture_on_commit_callbacks):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.db import transaction

    layer = get_channel_layer()
    topic = space.topic(user=space.author)
    group = services.topic_group(topic.pk)
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, listener)
    marker = {"type": "test.marker"}
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                services.reply(actor=space.peer, topic=topic, body="Never said")
                raise RuntimeError("the request fails after the reply")
        async_to_sync(layer.group_send)(group, marker)
        assert _receive(layer, listener) == marker
    finally:
        async_to_sync(layer.group_discard)(group, listener)


def test_network_section_shows_unread_counts(space, rf):
    from forums.views import network_section

    space.topic(user=space.author, title="New to you")
    request = rf.get("/")
    request.user = space.peer
    html = network_section(request, space.network)
    assert "1 unread" in html and "Open talk" in html and "Ethnic minority" not in html


def test_post_links_on_the_topic_page_are_the_real_routes(space, client):
    topic = space.topic(user=space.author, anonymous=True)
    post = topic.posts.get()
    services.edit_post(actor=space.author, post=post, body="Edited")
    client.force_login(space.moderator)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    for name in ("post_react", "post_flag", "post_hide", "post_reveal", "post_revisions"):
        assert reverse(f"forums:{name}", args=[post.pk]) in page, name
    client.force_login(space.author)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    for name in ("post_edit", "post_delete"):
        assert reverse(f"forums:{name}", args=[post.pk]) in page, name
