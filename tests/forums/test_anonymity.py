"""The author of an anonymous post never appears in anything produced for other members."""

import json

import pytest
from django.core import mail
from django.urls import reverse

from community import data as community_data
from community.models import Notification
from forums import services


def secrets_of(user):
    return [
        user.display_name,
        user.username,
        user.email,
        str(user.pk),
        user.display_name.split()[-1],
    ]


def assert_absent(user, text, where):
    for secret in secrets_of(user):
        assert secret.lower() not in text.lower(), f"{secret!r} leaked in {where}"


@pytest.fixture
def anonymous_thread(space):
    topic = space.topic(
        user=space.author,
        title="What we learnt from our WRES figures",
        body="We cut our waiting-list data by ethnicity. @Peter Peer what did you find?",
        anonymous=True,
        kind="case_study",
        areas=["use_of_data"],
    )
    services.reply(actor=space.peer, topic=topic, body="Thank you for this @Mo Moderator")
    reply = services.reply(
        actor=space.author,
        topic=topic,
        body="Our board asked for quarterly reports.",
        anonymous=True,
    )
    services.edit_post(actor=space.author, post=reply, body="Our board asks for quarterly reports.")
    services.toggle_reaction(actor=space.peer, post=reply, kind="helpful")
    services.flag_post(actor=space.peer, post=reply, reason="other", detail="Too identifying?")
    return topic, reply


def pages_for(space, topic, reply):
    return [
        reverse("community:network", args=[space.network.slug]),
        reverse("community:notifications"),
        reverse("forums:network_forums", args=[space.network.slug]),
        reverse("forums:forum", args=[space.forum.pk]),
        reverse("forums:topic", args=[topic.pk]),
        reverse("forums:search") + "?q=quarterly",
        reverse("forums:search") + "?q=waiting",
        reverse("forums:library"),
        reverse("forums:library") + "?area=use_of_data&order=helpful",
    ]


@pytest.mark.parametrize("viewer", ["peer", "moderator"])
def test_anonymous_author_is_absent_from_every_page_for_other_members(
    space, client, anonymous_thread, viewer
):
    topic, reply = anonymous_thread
    client.force_login(getattr(space, viewer))
    urls = pages_for(space, topic, reply)
    if viewer == "peer":
        urls.append(reverse("forums:post_flag", args=[reply.pk]))
    else:
        queue = client.get(reverse("forums:moderation", args=[space.network.slug]))
        html = queue.content.decode()
        # The suspension form lists every member by name; the queue itself names no author.
        flags = html[html.index("flags-heading") : html.index("suspend-heading")]
        assert "Anonymous member 1" in flags
        assert_absent(space.author, flags, "moderation queue")
        urls += [
            reverse("forums:post_hide", args=[reply.pk]),
            reverse("forums:post_reveal", args=[reply.pk]),
            reverse("forums:post_revisions", args=[reply.pk]),
        ]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_absent(space.author, response.content.decode(), url)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert "Anonymous member 1" in page
    assert "waiting-list data" in page
    surname = space.author.display_name.split()[-1]
    found = client.get(reverse("forums:search"), {"q": surname}).context["results"]
    assert found.hits == [], "anonymous posts are found by their words, never by their author"


def test_the_author_sees_you_anonymous(space, client, anonymous_thread):
    topic, _ = anonymous_thread
    client.force_login(space.author)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert "You (anonymous)" in page


def test_pseudonyms_are_stable_within_a_topic_and_differ_between_people(space):
    topic = space.topic(user=space.author, anonymous=True)
    services.reply(actor=space.peer, topic=topic, body="One", anonymous=True)
    services.reply(actor=space.author, topic=topic, body="Two", anonymous=True)
    services.reply(actor=space.peer, topic=topic, body="Three", anonymous=True)
    numbers = list(topic.posts.order_by("created_at", "id").values_list("pseudonym", flat=True))
    assert numbers == [1, 2, 1, 2]


def test_notifications_and_emails_carry_no_author_and_no_content(
    space, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        topic = space.topic(
            user=space.author, body="Waiting-list data, @Peter Peer", anonymous=True
        )
        services.reply(actor=space.peer, topic=topic, body="Thanks")
        services.reply(actor=space.author, topic=topic, body="Quarterly", anonymous=True)
    assert mail.outbox
    for notification in Notification.objects.exclude(user=space.author):
        assert_absent(space.author, json.dumps([notification.kind, notification.url]), "notice")
    for message in mail.outbox:
        text = message.subject + message.body
        assert_absent(space.author, text, "e-mail")
        assert "waiting-list" not in text and "quarterly" not in text


def test_mention_of_someone_who_cannot_see_the_forum_does_nothing(space):
    before = Notification.objects.filter(user=space.outsider).count()
    space.topic(user=space.author, body="Hello @Olu Outsider and @Peter Peer")
    assert Notification.objects.filter(user=space.outsider).count() == before
    assert Notification.objects.filter(user=space.peer, kind="forum_mention").count() == 1


def test_reveal_needs_a_reason_is_audited_and_shown_only_to_that_moderator(
    space, client, anonymous_thread
):
    from community.models import AuditEvent, NetworkRole
    from tests.factories import add_member, enrol_totp, make_user

    topic, reply = anonymous_thread
    with pytest.raises(services.ForumError):
        services.reveal_author(actor=space.moderator, post=reply, reason="  ")
    with pytest.raises(services.ForumError):
        services.reveal_author(actor=space.peer, post=reply, reason="Curious")
    reveal = services.reveal_author(actor=space.moderator, post=reply, reason="Safeguarding")
    event = AuditEvent.objects.get(verb="forum.anonymous_reveal")
    assert event.actor_id == space.moderator.pk and event.subject_user_id == space.author.pk
    assert "Safeguarding" not in json.dumps(event.detail)
    notice = Notification.objects.get(user=space.author, kind="forum_reveal")
    assert notice.url == reverse("forums:reveal", args=[reveal.pk])

    client.force_login(space.moderator)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert f"revealed to you: {space.author.display_name}" in page

    other = add_member(space.network, make_user(display_name="Second Mod"), NetworkRole.MODERATOR)
    enrol_totp(other)
    client.force_login(other)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert_absent(space.author, page, "another moderator's topic page")
    assert client.get(reverse("forums:reveal", args=[reveal.pk])).status_code == 404

    client.force_login(space.author)
    page = client.get(reverse("forums:reveal", args=[reveal.pk])).content.decode()
    assert "Safeguarding" in page


def test_export_marks_anonymous_posts_as_mine_and_names_nobody_else(space, anonymous_thread):
    from forums.data import export_user_data

    data = export_user_data(space.author)
    assert len(data["posts"]) == 2 and all(p["anonymous"] for p in data["posts"])
    peer_export = json.dumps(export_user_data(space.peer), default=str)
    assert_absent(space.author, peer_export, "another member's export")
    assert "quarterly" not in peer_export


def test_erased_author_shows_former_member_and_posts_stay(space, client):

    topic = space.topic(user=space.author, title="Signed topic", body="Signed words")
    community_data.erase_user(actor=space.author)
    client.force_login(space.peer)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert "Former member" in page and "Signed words" in page
    assert "Zadie" not in page
