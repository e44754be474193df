"""Access-table rows for this app's routes (see tests/access_table.py) and their objects.

`build(world)` adds this app's objects to the shared world (one person in each role around
an unlisted network `world.network` and a listed one `world.listed`). The steward runs the
network but is not a member: stewards never read members' conversations.
"""

from tests.access_table import (  # noqa: F401
    GATED,
    LOGIN,
    REDIRECT,
    Route,
    every,
    inside_network,
    signed_in,
)


def build(world):
    from forums import services

    world.forum = services.create_forum(
        actor=world.steward,
        network=world.network,
        name="Leading on race equality",
        slug="leading",
        allow_anonymous=True,
    )
    world.topic = services.create_topic(
        actor=world.member,
        forum=world.forum,
        title="Moving our board from inclusion to discrimination",
        body="How did you start?",
        anonymous=True,
    )
    world.post = world.topic.posts.get()
    services.edit_post(actor=world.member, post=world.post, body="How did your board start?")
    world.reply = services.reply(actor=world.moderator, topic=world.topic, body="We began small.")
    world.flag = services.flag_post(actor=world.member, post=world.reply, reason="other")
    world.unflagged = services.reply(actor=world.moderator, topic=world.topic, body="Thank you.")
    world.reveal = services.reveal_author(
        actor=world.moderator, post=world.post, reason="A safeguarding concern."
    )
    # The leak probe: what is said in the forum stays with those who may read it.
    world.protect(world.topic.title, "member", "moderator")
    world.protect("We began small.", "member", "moderator")
    world.protect("A safeguarding concern.", "member", "moderator")


def forum_page(member=200, moderator=None):
    """Inside a forum: members and moderators of its network; the steward and outsiders get 404;
    a member who has not accepted the agreement is sent to it (or gets 404)."""
    return {
        "anonymous": LOGIN,
        "outsider": 404,
        "member": member,
        "agreement_pending": GATED,
        "moderator": member if moderator is None else moderator,
        "steward": 404,
    }


def moderators_only(answer=200):
    return forum_page(member=404, moderator=answer)


def topic(w):
    return {"pk": w.topic.pk}


def own_post(w):
    return {"pk": w.post.pk}


def others_post(w):
    return {"pk": w.reply.pk}


def posted(expect, data=lambda w: {}, changes=("member", "moderator"), **kwargs):
    return {"expect": expect, "method": "post", "data": data, "changes": changes, **kwargs}


ROUTES = [
    Route("forums:library", signed_in()),
    Route("forums:search", signed_in(), extra={"data": {"q": "board"}}),
    Route(
        "forums:network_forums",
        inside_network(),
        kwargs=lambda w: {"slug": w.network.slug},
        note="the steward sees the list, which is empty for them",
    ),
    Route("forums:moderation", moderators_only(), kwargs=lambda w: {"slug": w.network.slug}),
    Route(
        "forums:moderation",
        kwargs=lambda w: {"slug": w.network.slug},
        **posted(
            moderators_only(REDIRECT),
            lambda w: {"member": w.member.pk, "days": "7", "reason": "Repeated personal remarks"},
            changes=("moderator",),
        ),
        note="suspends a member",
    ),
    Route("forums:forum", forum_page(), kwargs=lambda w: {"pk": w.forum.pk}),
    Route("forums:topic_create", forum_page(), kwargs=lambda w: {"pk": w.forum.pk}),
    Route(
        "forums:topic_create",
        kwargs=lambda w: {"pk": w.forum.pk},
        **posted(
            forum_page(REDIRECT),
            lambda w: {"title": "Reverse mentoring", "body": "Worked?", "kind": "discussion"},
        ),
    ),
    Route(
        "forums:topic",
        forum_page(),
        kwargs=topic,
        changes=("member",),
        note="reading marks the topic read (the moderator has read it all already)",
    ),
    Route(
        "forums:topic",
        kwargs=topic,
        **posted(forum_page(REDIRECT), lambda w: {"body": "A reply, posted."}),
        note="a reply",
    ),
    Route(
        "forums:topic_watch",
        kwargs=topic,
        **posted(forum_page(REDIRECT), lambda w: {"watch": "0"}),
        note="the member wrote the topic and the moderator replied, so both follow it; it ends",
    ),
    Route(
        "forums:topic_moderate",
        kwargs=topic,
        **posted(moderators_only(REDIRECT), lambda w: {"action": "lock"}, changes=("moderator",)),
    ),
    Route("forums:post", forum_page(REDIRECT), kwargs=own_post),
    Route(
        "forums:post_edit",
        forum_page(member=200, moderator=404),
        kwargs=own_post,
        note="only the author edits",
    ),
    Route(
        "forums:post_edit",
        kwargs=own_post,
        **posted(
            forum_page(member=REDIRECT, moderator=404),
            lambda w: {"body": "How did your board begin?"},
            changes=("member",),
        ),
    ),
    Route(
        "forums:post_delete",
        kwargs=own_post,
        **posted(forum_page(member=REDIRECT, moderator=404), changes=("member",)),
    ),
    Route(
        "forums:post_react",
        kwargs=others_post,
        **posted(
            forum_page(REDIRECT),
            lambda w: {"kind": "helpful"},
            changes=("member",),
        ),
        note="nobody reacts to their own post: the moderator is refused with a message",
    ),
    Route(
        "forums:post_flag",
        forum_page(member=200, moderator=404),
        kwargs=others_post,
        note="nobody flags their own post",
    ),
    Route(
        "forums:post_flag",
        kwargs=lambda w: {"pk": w.unflagged.pk},
        **posted(
            forum_page(member=REDIRECT, moderator=404),
            lambda w: {"reason": "other", "detail": "Please look again."},
            changes=("member",),
        ),
    ),
    Route("forums:post_hide", moderators_only(), kwargs=own_post),
    Route(
        "forums:post_hide",
        kwargs=own_post,
        **posted(
            moderators_only(REDIRECT),
            lambda w: {"reason": "Names a colleague."},
            changes=("moderator",),
        ),
    ),
    Route("forums:post_reveal", moderators_only(), kwargs=own_post),
    Route(
        "forums:post_reveal",
        kwargs=own_post,
        **posted(
            moderators_only(REDIRECT),
            lambda w: {"reason": "A second safeguarding concern."},
            changes=("moderator",),
        ),
    ),
    Route(
        "forums:post_revisions",
        moderators_only(),
        kwargs=own_post,
        changes=("moderator",),
        note="a moderator's look at the revisions is audited",
    ),
    Route(
        "forums:post_revisions",
        kwargs=own_post,
        **posted(moderators_only(), changes=("moderator",)),
        note="the view takes no form: a POST is answered (and audited) as a GET",
    ),
    Route(
        "forums:flag_handle",
        kwargs=lambda w: {"pk": w.flag.pk},
        **posted(moderators_only(REDIRECT), lambda w: {"action": "uphold"}, changes=("moderator",)),
    ),
    Route(
        "forums:reveal",
        forum_page(),
        kwargs=lambda w: {"pk": w.reveal.pk},
        note="the revealed author and the moderator who revealed",
    ),
]
