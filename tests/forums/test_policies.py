"""The policy table: role x action on a network forum and on a narrower forum."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from forums import policies, services

ROLES = ("anonymous", "outsider", "peer", "inner", "moderator", "steward")


def person(space, role):
    return AnonymousUser() if role == "anonymous" else getattr(space, role)


# (forum, action) -> the roles that may
TABLE = {
    ("forum", "view"): {"peer", "inner", "moderator"},
    ("forum", "post"): {"peer", "inner", "moderator"},
    ("forum", "moderate"): {"moderator"},
    ("forum", "reveal"): {"moderator"},
    ("narrow", "view"): {"inner", "moderator"},
    ("narrow", "post"): {"inner", "moderator"},
    ("narrow", "moderate"): {"moderator"},
    ("narrow", "reveal"): {"moderator"},
}


def answer(space, role, forum_name, action):
    user = person(space, role)
    forum = getattr(space, forum_name)
    if action == "view":
        return policies.can_view_forum(user, forum)
    if action == "post":
        return policies.can_post_in_forum(user, forum)
    if action == "moderate":
        return policies.can_moderate_forum(user, forum)
    topic = space.topic(user=space.moderator, forum=forum, anonymous=False)
    post = topic.posts.get()
    post.is_anonymous = True
    return policies.can_reveal(user, post)


@pytest.mark.parametrize(("forum_name", "action"), list(TABLE))
def test_policy_table(space, forum_name, action):
    got = {role for role in ROLES if answer(space, role, forum_name, action)}
    assert got == TABLE[(forum_name, action)]


def test_visible_forums_match_the_table(space):
    assert set(policies.visible_forums(space.peer)) == {space.forum}
    assert set(policies.visible_forums(space.inner)) == {space.forum, space.narrow}
    assert set(policies.visible_forums(space.moderator)) == {space.forum, space.narrow}
    assert list(policies.visible_forums(space.outsider)) == []
    assert list(policies.visible_forums(space.steward)) == []


def test_superuser_and_model_level_grants_open_nothing(space):
    from django.contrib.auth.models import Permission

    space.outsider.is_superuser = True
    space.outsider.save()
    space.outsider.user_permissions.add(Permission.objects.get(codename="view_forum"))
    assert not policies.can_view_forum(space.outsider, space.forum)
    assert list(policies.visible_forums(space.outsider)) == []


def test_suspended_member_reads_but_cannot_post(space):
    from forums import services

    services.suspend_member(
        actor=space.moderator, network=space.network, user=space.peer, days=3, reason="Cool off"
    )
    policies.forget(space.peer)
    assert policies.can_view_forum(space.peer, space.forum)
    assert not policies.can_post_in_forum(space.peer, space.forum)


@pytest.mark.parametrize("role", ["outsider", "peer", "steward"])
def test_people_outside_a_forum_get_404_for_every_forum_topic_and_post_id(space, client, role):
    topic = space.topic(user=space.inner, forum=space.narrow, title="Inner circle talk")
    post = topic.posts.get()
    client.force_login(getattr(space, role))
    urls = [
        reverse("forums:forum", args=[space.narrow.pk]),
        reverse("forums:topic_create", args=[space.narrow.pk]),
        reverse("forums:topic", args=[topic.pk]),
        reverse("forums:post", args=[post.pk]),
        reverse("forums:post_edit", args=[post.pk]),
        reverse("forums:post_flag", args=[post.pk]),
        reverse("forums:post_hide", args=[post.pk]),
        reverse("forums:post_reveal", args=[post.pk]),
        reverse("forums:post_revisions", args=[post.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Inner circle talk" not in response.content
    for name, pk in [
        ("forums:topic_watch", topic.pk),
        ("forums:post_react", post.pk),
        ("forums:post_delete", post.pk),
    ]:
        assert client.post(reverse(name, args=[pk]), {"kind": "thanks"}).status_code == 404
    missing = reverse("forums:topic", args=[topic.pk + 1000])
    assert client.get(missing).status_code == 404


def test_unapproved_topic_is_seen_by_its_author_and_moderators_only(space, client):
    space.forum.require_topic_approval = True
    space.forum.save()
    topic = space.topic(user=space.peer, title="Waiting")
    assert not topic.is_approved
    client.force_login(space.author)
    assert client.get(reverse("forums:topic", args=[topic.pk])).status_code == 404
    client.force_login(space.peer)
    assert client.get(reverse("forums:topic", args=[topic.pk])).status_code == 200
    client.force_login(space.moderator)
    assert client.get(reverse("forums:topic", args=[topic.pk])).status_code == 200


def test_author_in_a_locked_topic_is_not_offered_an_edit_link_that_answers_404(space, client):
    topic = space.topic(user=space.author, title="Soon locked")
    post = topic.posts.get()
    services.moderate_topic(actor=space.moderator, topic=topic, action="lock")
    client.force_login(space.author)
    edit_url = reverse("forums:post_edit", args=[post.pk])
    assert client.get(edit_url).status_code == 404
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert f'href="{edit_url}"' not in page
    # The author may still withdraw their words from a locked topic.
    assert reverse("forums:post_delete", args=[post.pk]) in page


def test_post_flags_for_a_page_agree_with_the_single_answers_in_constant_queries(
    space, django_assert_max_num_queries
):
    topic = space.topic(user=space.author, title="Flags")
    services.reply(actor=space.peer, topic=topic, body="A reply")
    hidden = services.reply(actor=space.author, topic=topic, body="Hidden soon")
    services.set_post_hidden(actor=space.moderator, post=hidden, hidden=True, reason="Off topic")
    gone = services.reply(actor=space.peer, topic=topic, body="Deleted soon")
    services.delete_post(actor=space.peer, post=gone)
    for locked in (False, True):
        services.moderate_topic(
            actor=space.moderator, topic=topic, action="lock" if locked else "unlock"
        )
        topic.refresh_from_db()
        for user in (space.author, space.peer, space.moderator):
            policies.forget(user)
            posts = list(topic.posts.order_by("pk"))
            for post in posts:
                post.topic = topic
            policies.forget(user)
            policies.can_moderate_forum(user, topic.forum)
            with django_assert_max_num_queries(0):
                flags = policies.post_flags(user, topic, posts)
            for post in posts:
                assert flags[post.pk].can_edit == policies.can_edit_post(user, post)
                assert flags[post.pk].can_delete == policies.can_delete_post(user, post)
                assert flags[post.pk].can_flag == policies.can_flag_post(user, post)
                assert flags[post.pk].can_react == policies.can_react(user, post)
