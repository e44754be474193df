"""Moderating: hidden posts and flags, the queue's history, and who is named how (issue 12)."""

import pytest
from django.urls import reverse

from community import services as community_services
from community.models import AuditEvent, NetworkRole, Visibility
from forums import services
from forums.models import Flag
from tests.factories import add_member, enrol_totp, make_user


@pytest.fixture
def reply(space):
    topic = space.topic(user=space.peer, title="Recruitment panels")
    return services.reply(actor=space.author, topic=topic, body="Ours were all white.")


def test_a_hidden_post_cannot_be_flagged_by_service_page_or_button(space, client, reply):
    services.set_post_hidden(actor=space.moderator, post=reply, hidden=True, reason="Checking")
    with pytest.raises(services.ForumError):
        services.flag_post(actor=space.peer, post=reply, reason="other")
    client.force_login(space.peer)
    assert client.get(reverse("forums:post_flag", args=[reply.pk])).status_code == 404
    page = client.get(reverse("forums:topic", args=[reply.topic_id])).content.decode()
    assert f"/forums/posts/{reply.pk}/flag/" not in page
    services.set_post_hidden(actor=space.moderator, post=reply, hidden=False)
    services.flag_post(actor=space.peer, post=reply, reason="other")  # shown again: flaggable


def test_hiding_a_post_closes_its_open_flags_as_upheld_by_the_hider(space, reply):
    first = services.flag_post(actor=space.peer, post=reply, reason="abuse")
    second = services.flag_post(actor=space.inner, post=reply, reason="other")
    services.set_post_hidden(actor=space.moderator, post=reply, hidden=True, reason="Abusive")
    for flag in Flag.objects.filter(pk__in=[first.pk, second.pk]):
        assert flag.status == Flag.Status.UPHELD
        assert flag.handled_by_id == space.moderator.pk and flag.handled_at is not None
        assert flag.outcome == "Upheld by hiding the post. Reason: Abusive"


def test_the_queue_keeps_a_history_of_handled_flags_with_who_and_how(space, client, reply):
    second_moderator = add_member(
        space.network, make_user(display_name="Owen Pritchard"), role=NetworkRole.MODERATOR
    )
    enrol_totp(second_moderator)
    dismissed = services.flag_post(actor=space.peer, post=reply, reason="identifying")
    services.handle_flag(actor=second_moderator, flag=dismissed, uphold=False, note="It is fine")
    services.flag_post(actor=space.peer, post=reply, reason="abuse")
    services.set_post_hidden(actor=space.moderator, post=reply, hidden=True, reason="Abusive")
    client.force_login(space.moderator)
    page = client.get(reverse("forums:moderation", args=[space.network.slug]))
    handled = page.context["handled"]
    assert [(f.handled_by_label, f.outcome) for f in handled] == [
        ("Mo Moderator", "Upheld by hiding the post. Reason: Abusive"),
        ("Owen Pritchard", "Dismissed. Note: It is fine"),
    ]
    html = page.content.decode()
    history = html[html.index('id="history-heading"') : html.index('id="pending-heading"')]
    assert "Owen Pritchard" in history and "Dismissed. Note: It is fine" in history
    assert f"A post by {space.author.display_name}" in history  # signed: named as on the page
    assert page.context["flags"] == []  # the open list is empty: hiding closed them


def test_the_history_names_an_anonymous_author_by_pseudonym_only(space, client):
    topic = space.topic(user=space.peer)
    post = services.reply(actor=space.author, topic=topic, body="Frankly", anonymous=True)
    services.flag_post(actor=space.peer, post=post, reason="other")
    services.set_post_hidden(actor=space.moderator, post=post, hidden=True, reason="Checking")
    client.force_login(space.moderator)
    page = client.get(reverse("forums:moderation", args=[space.network.slug]))
    assert [f.post_label for f in page.context["handled"]] == ["Anonymous member 1"]


def test_hiding_an_anonymous_post_records_no_author_and_the_reveal_records_them(space):
    topic = space.topic(user=space.peer)
    post = services.reply(actor=space.author, topic=topic, body="Frankly", anonymous=True)
    services.set_post_hidden(actor=space.moderator, post=post, hidden=True, reason="Checking")
    services.set_post_hidden(actor=space.moderator, post=post, hidden=False)
    services.record_moderator_view(actor=space.moderator, post=post, what="revisions_view")
    acts = AuditEvent.objects.filter(target_type="forums.post", target_id=post.pk)
    assert acts.count() == 3
    assert all(e.subject_user_id is None and e.detail["anonymous"] for e in acts)
    services.reveal_author(actor=space.moderator, post=post, reason="Safeguarding")
    reveal = AuditEvent.objects.get(verb="forum.anonymous_reveal")
    assert reveal.subject_user_id == space.author.pk and reveal.detail["anonymous"]


def test_hiding_a_signed_post_records_its_author(space, reply):
    services.set_post_hidden(actor=space.moderator, post=reply, hidden=True, reason="Checking")
    event = AuditEvent.objects.get(verb="forum.post_hide")
    assert event.subject_user_id == space.author.pk and "anonymous" not in event.detail


# The author's board role and organisation beside their name ----------------------------------


def _byline(client, viewer, post):
    client.force_login(viewer)
    response = client.get(reverse("forums:topic", args=[post.topic_id]))
    found = {p.pk: p.author_byline for p in response.context["posts"]}
    return found[post.pk]


@pytest.mark.parametrize(
    ("visibility", "peer_sees"),
    [(Visibility.NETWORKS, True), (Visibility.STEWARDS, False), (Visibility.ONLY_ME, False)],
)
def test_a_signed_post_shows_role_and_organisation_as_the_author_allows(
    space, client, reply, visibility, peer_sees
):
    profile = space.author.profile
    community_services.update_profile(actor=space.author, work_visibility=visibility)
    expected = f"Non-executive director, {profile.organisation.name}"
    assert _byline(client, space.peer, reply) == (expected if peer_sees else "")
    assert _byline(client, space.author, reply) == expected  # always to themselves
    page = client.get(reverse("forums:topic", args=[reply.topic_id])).content.decode()
    assert "forum-post__byline" in page


def test_an_anonymous_post_never_shows_role_or_organisation(space, client):
    topic = space.topic(user=space.peer)
    post = services.reply(actor=space.author, topic=topic, body="Frankly", anonymous=True)
    organisation = space.author.profile.organisation.name
    services.reveal_author(actor=space.moderator, post=post, reason="Safeguarding")
    for viewer in (space.peer, space.moderator, space.author):
        assert _byline(client, viewer, post) == ""
        page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
        assert organisation not in page
