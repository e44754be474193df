"""Every action that changes a forum (DESIGN.md: services.py).

Each function checks the policy, writes inside a transaction, audits moderator acts, then
schedules notifications and live messages after commit. Live messages carry only ids: each
connection renders the post for its own user after checking the policy again.
"""

import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community import live
from community.services import audit, notify
from community.text import render_markdown
from forums import policies
from forums.models import (
    Flag,
    FlagReason,
    Forum,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    ReadState,
    Reveal,
    Subscription,
    Suspension,
    Topic,
    TopicArea,
    TopicKind,
    TopicPseudonym,
)

# Per-user posting limit across the site, on top of each forum's slow mode.
RATE_LIMIT_POSTS = 8
RATE_LIMIT_WINDOW = timedelta(minutes=1)


class ForumError(Exception):
    """A refusal a person can read."""


class PostingTooSoon(ForumError):
    def __init__(self, message, wait_seconds):
        super().__init__(message)
        self.wait_seconds = wait_seconds


def topic_group(topic_id):
    return f"forums.topic.{topic_id}"


def _is_postgres():
    from django.db import connection

    return connection.vendor == "postgresql"


def _wait_text(seconds):
    seconds = max(1, int(seconds))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minutes"


# Forums ---------------------------------------------------------------------------------------


@transaction.atomic
def create_forum(
    *,
    actor,
    network,
    name,
    slug,
    description="",
    position=0,
    audience=None,
    allow_anonymous=False,
    slow_mode_seconds=0,
    require_topic_approval=False,
):
    """A forum for the network's members, or for a narrower group (moderators always read)."""
    from community import policies as community_policies

    if actor is not None and not community_policies.is_steward(actor, network):
        raise ForumError("Only the network's stewards can create forums.")
    forum = Forum.objects.create(
        network=network,
        name=name,
        slug=slug,
        description=description,
        description_html=render_markdown(description),
        position=position,
        audience=audience,
        allow_anonymous=allow_anonymous,
        slow_mode_seconds=slow_mode_seconds,
        require_topic_approval=require_topic_approval,
    )
    readers = audience or network.members_group
    for perm in policies.READER_PERMS:
        assign_perm(perm, readers, forum)
    for perm in policies.MODERATOR_PERMS:
        assign_perm(perm, network.moderators_group, forum)
    audit(
        actor=actor,
        verb="forum.create",
        target=forum,
        network=network,
        forum=forum.name,
        audience=audience.pk if audience else None,
    )
    return forum


# Posting --------------------------------------------------------------------------------------


def _check_can_post(actor, forum):
    if not policies.can_view_forum(actor, forum):
        raise ForumError("You cannot post here.")
    suspension = policies.suspension_for(actor, forum.network)
    if suspension is not None:
        raise ForumError(
            "A moderator has paused your posting in this network until "
            f"{timezone.localtime(suspension.until):%d %B %Y, %H:%M}."
        )
    if not policies.can_post_in_forum(actor, forum):
        raise ForumError("You can read this forum but not post in it.")
    now = timezone.now()
    recent = list(
        Post.objects.filter(author=actor, created_at__gt=now - RATE_LIMIT_WINDOW)
        .order_by("-created_at")
        .values_list("created_at", "topic__forum_id")[:RATE_LIMIT_POSTS]
    )
    if forum.slow_mode_seconds and not policies.can_moderate_forum(actor, forum):
        last_here = Post.objects.filter(author=actor, topic__forum=forum).aggregate(
            last=Max("created_at")
        )["last"]
        if last_here is not None:
            wait = forum.slow_mode_seconds - (now - last_here).total_seconds()
            if wait > 0:
                raise PostingTooSoon(
                    "Slow mode is on in this forum, to give everyone time to think. "
                    f"You can post again in {_wait_text(wait)}.",
                    int(wait) + 1,
                )
    if len(recent) >= RATE_LIMIT_POSTS:
        wait = (recent[-1][0] + RATE_LIMIT_WINDOW - now).total_seconds()
        raise PostingTooSoon(
            f"You have posted {RATE_LIMIT_POSTS} times in the last minute. "
            f"Please wait {_wait_text(wait)} before posting again.",
            int(wait) + 1,
        )


def _pseudonym_for(topic, user):
    existing = TopicPseudonym.objects.filter(topic=topic, user=user).first()
    if existing:
        return existing.number
    number = (TopicPseudonym.objects.filter(topic=topic).aggregate(n=Max("number"))["n"] or 0) + 1
    TopicPseudonym.objects.create(topic=topic, user=user, number=number)
    return number


def _next_seq(topic):
    """The topic row is locked by the caller; the next number on its stream."""
    Topic.objects.filter(pk=topic.pk).update(last_seq=F("last_seq") + 1)
    topic.last_seq = Topic.objects.values_list("last_seq", flat=True).get(pk=topic.pk)
    return topic.last_seq


def _index_post(post):
    if _is_postgres():
        from django.contrib.postgres.search import SearchVector

        Post.objects.filter(pk=post.pk).update(
            search_vector=SearchVector("source", config="english")
        )


def _broadcast(topic, post):
    live.send_after_commit(
        topic_group(topic.pk), {"type": "forum.post", "post_id": post.pk, "seq": post.seq}
    )


def _topic_url(topic):
    return reverse("forums:topic", args=[topic.pk])


def _post_url(post):
    return reverse("forums:post", args=[post.pk])


MENTION = re.compile(r"@([^\s@][^@\n]{0,79})")


def _notify_mentions(actor, post):
    if "@" not in post.source:
        return set()
    text = post.source.lower()
    mentioned = set()
    for user in (
        policies.forum_readers(post.topic.forum).exclude(pk=actor.pk).select_related("profile")
    ):
        name = getattr(getattr(user, "profile", None), "display_name", "")
        if name and f"@{name.lower()}" in text:
            notify(user=user, kind="forum_mention", url=_post_url(post), target=post)
            mentioned.add(user.pk)
    return mentioned


def _notify_subscribers(actor, post, skip):
    readers = policies.forum_readers(post.topic.forum).values("pk")
    for sub in (
        Subscription.objects.filter(topic=post.topic, user__in=readers)
        .exclude(user=actor)
        .exclude(user__in=skip)
        .select_related("user")
    ):
        notify(user=sub.user, kind="forum_reply", url=_post_url(post), target=post)


def _create_post(*, actor, topic, source, anonymous):
    now = timezone.now()
    post = Post(
        topic=topic,
        author=actor,
        is_anonymous=anonymous,
        pseudonym=_pseudonym_for(topic, actor) if anonymous else None,
        source=source,
        html=render_markdown(source),
        created_at=now,
        seq=_next_seq(topic),
    )
    post.save()
    _index_post(post)
    Topic.objects.filter(pk=topic.pk).update(post_count=F("post_count") + 1, last_activity_at=now)
    Subscription.objects.get_or_create(user=actor, topic=topic)
    ReadState.objects.update_or_create(
        user=actor, topic=topic, defaults={"last_read_seq": topic.last_seq}
    )
    return post


def _clean_text(value, what, limit):
    value = (value or "").strip()
    if not value:
        raise ForumError(f"Write the {what} first.")
    if len(value) > limit:
        raise ForumError(f"The {what} is too long: at most {limit} characters.")
    return value


@transaction.atomic
def create_topic(
    *,
    actor,
    forum,
    title,
    body,
    anonymous=False,
    kind=TopicKind.DISCUSSION,
    areas=(),
    organisation_kind="",
):
    title = _clean_text(title, "title", 200)
    body = _clean_text(body, "first post", 20000)
    forum = Forum.objects.select_for_update().select_related("network").get(pk=forum.pk)
    _check_can_post(actor, forum)
    if anonymous and not forum.allow_anonymous:
        raise ForumError("This forum does not allow anonymous posts.")
    needs_approval = forum.require_topic_approval and not policies.can_moderate_forum(actor, forum)
    topic = Topic.objects.create(
        forum=forum,
        title=title,
        author=actor,
        is_anonymous=anonymous,
        kind=kind,
        organisation_kind=organisation_kind if kind == TopicKind.CASE_STUDY else "",
        is_approved=not needs_approval,
    )
    if kind == TopicKind.CASE_STUDY:
        TopicArea.objects.bulk_create([TopicArea(topic=topic, area=a) for a in set(areas)])
    post = _create_post(actor=actor, topic=topic, source=body, anonymous=anonymous)
    if needs_approval:
        for moderator in forum.network.moderators_group.user_set.filter(erased_at__isnull=True):
            notify(
                user=moderator,
                kind="forum_topic_pending",
                url=reverse("forums:moderation", args=[forum.network.slug]),
                target=topic,
            )
    else:
        _notify_mentions(actor, post)
    return topic


@transaction.atomic
def reply(*, actor, topic, body, anonymous=False):
    body = _clean_text(body, "reply", 20000)
    topic = Topic.objects.select_for_update().select_related("forum__network").get(pk=topic.pk)
    if not policies.can_view_topic(actor, topic):
        raise ForumError("This discussion is not available.")
    if not topic.is_approved:
        raise ForumError("This topic is waiting for a moderator's approval.")
    if topic.is_locked and not policies.can_moderate_forum(actor, topic.forum):
        raise ForumError("This topic is locked: no new replies.")
    _check_can_post(actor, topic.forum)
    if anonymous and not topic.forum.allow_anonymous:
        raise ForumError("This forum does not allow anonymous posts.")
    post = _create_post(actor=actor, topic=topic, source=body, anonymous=anonymous)
    mentioned = _notify_mentions(actor, post)
    _notify_subscribers(actor, post, mentioned)
    _broadcast(topic, post)
    return post


@transaction.atomic
def edit_post(*, actor, post, body):
    body = _clean_text(body, "post", 20000)
    topic = Topic.objects.select_for_update().select_related("forum__network").get(pk=post.topic_id)
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.topic = topic
    if not policies.can_edit_post(actor, post):
        raise ForumError("You can only edit your own posts while they are shown.")
    if body == post.source:
        return post
    PostRevision.objects.create(post=post, source=post.source, html=post.html)
    post.source = body
    post.html = render_markdown(body)
    post.edited_at = timezone.now()
    post.seq = _next_seq(topic)
    post.save(update_fields=["source", "html", "edited_at", "seq"])
    _index_post(post)
    _broadcast(topic, post)
    return post


@transaction.atomic
def delete_post(*, actor, post):
    topic = Topic.objects.select_for_update().select_related("forum__network").get(pk=post.topic_id)
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.topic = topic
    if not policies.can_delete_post(actor, post):
        raise ForumError("You can only delete your own posts.")
    post.deleted_at = timezone.now()
    post.seq = _next_seq(topic)
    post.save(update_fields=["deleted_at", "seq"])
    _broadcast(topic, post)
    return post


# Reading, watching, reacting --------------------------------------------------------------------


def mark_read(*, actor, topic, first_time=None):
    """Remember how far the member has read (one query on a page view)."""
    if first_time is not False:
        ReadState.objects.bulk_create(
            [ReadState(user=actor, topic=topic, last_read_seq=topic.last_seq)],
            ignore_conflicts=True,
        )
        if first_time:
            return
    ReadState.objects.filter(user=actor, topic=topic, last_read_seq__lt=topic.last_seq).update(
        last_read_seq=topic.last_seq
    )


@transaction.atomic
def set_watching(*, actor, topic, watching):
    if not policies.can_view_topic(actor, topic):
        raise ForumError("This discussion is not available.")
    if watching:
        Subscription.objects.get_or_create(user=actor, topic=topic)
    else:
        Subscription.objects.filter(user=actor, topic=topic).delete()


@transaction.atomic
def toggle_reaction(*, actor, post, kind):
    if kind not in ReactionKind.values:
        raise ForumError("Choose thank you or helpful.")
    if not policies.can_react(actor, post):
        raise ForumError("You cannot react to this post.")
    counter = "thanks_count" if kind == ReactionKind.THANKS else "helpful_count"
    deleted, _ = Reaction.objects.filter(post=post, user=actor, kind=kind).delete()
    delta = -1 if deleted else 1
    if not deleted:
        try:
            with transaction.atomic():
                Reaction.objects.create(post=post, user=actor, kind=kind)
        except IntegrityError:
            return False
    Post.objects.filter(pk=post.pk).update(**{counter: F(counter) + delta})
    if kind == ReactionKind.HELPFUL:
        Topic.objects.filter(pk=post.topic_id).update(helpful_count=F("helpful_count") + delta)
    return not deleted


@transaction.atomic
def flag_post(*, actor, post, reason, detail=""):
    if reason not in FlagReason.values:
        raise ForumError("Choose a reason for the flag.")
    # Read afresh: the caller's copy may predate a moderator hiding the post.
    post = Post.objects.select_related("topic__forum__network").get(pk=post.pk)
    if not policies.can_flag_post(actor, post):
        raise ForumError("You cannot flag this post.")
    if Flag.objects.filter(post=post, reporter=actor, status=Flag.Status.OPEN).exists():
        raise ForumError("You have already flagged this post; a moderator will look at it.")
    flag = Flag.objects.create(post=post, reporter=actor, reason=reason, detail=detail.strip())
    network = post.topic.forum.network
    for moderator in network.moderators_group.user_set.filter(erased_at__isnull=True).exclude(
        pk=actor.pk
    ):
        notify(
            user=moderator,
            kind="forum_flag",
            url=reverse("forums:moderation", args=[network.slug]),
            target=post,
        )
    return flag


# Moderation -----------------------------------------------------------------------------------


def _require_moderator(actor, forum):
    if not policies.can_moderate_forum(actor, forum):
        raise ForumError("Only this forum's moderators can do that.")


def _audit_post(*, actor, verb, post, names_author=False, **detail):
    """Audit an act on a post, in its forum's words.

    An anonymous post's author is recorded only by the reveal, whose record belongs to them
    (their activity and export); any other act on anonymous writing names no author, so hiding
    and showing a post again cannot be used to learn who wrote it (DESIGN.md rules 3 and 12).
    """
    forum = post.topic.forum
    if post.is_anonymous:
        detail["anonymous"] = True
    audit(
        actor=actor,
        verb=verb,
        target=post,
        network=forum.network,
        subject=post.author_id if names_author or not post.is_anonymous else None,
        forum=forum.name,
        **detail,
    )


def _require_reason(reason, what):
    reason = (reason or "").strip()
    if not reason:
        raise ForumError(f"Write a reason for {what}.")
    return reason[:500]


@transaction.atomic
def set_post_hidden(*, actor, post, hidden, reason=""):
    topic = Topic.objects.select_for_update().select_related("forum__network").get(pk=post.topic_id)
    _require_moderator(actor, topic.forum)
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.topic = topic
    if hidden:
        reason = _require_reason(reason, "hiding the post")
        post.hidden_at, post.hidden_by, post.hidden_reason = timezone.now(), actor, reason
    else:
        post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    post.seq = _next_seq(topic)
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "seq"])
    _audit_post(
        actor=actor,
        verb="forum.post_hide" if hidden else "forum.post_unhide",
        post=post,
        reason=reason,
    )
    if hidden:
        # A hidden post cannot be flagged; its open flags are upheld by the hiding.
        Flag.objects.filter(post=post, status=Flag.Status.OPEN).update(
            status=Flag.Status.UPHELD,
            handled_by=actor,
            handled_at=timezone.now(),
            note=f"{Flag.HIDDEN_NOTE}{reason}"[:500],
        )
        notify(user=post.author, kind="forum_post_hidden", url=_post_url(post), target=post)
    _broadcast(topic, post)
    return post


@transaction.atomic
def reveal_author(*, actor, post, reason):
    """Show one anonymous post's author to this moderator only; audited; the author is told."""
    post = Post.objects.select_related("topic__forum__network", "author").get(pk=post.pk)
    _require_moderator(actor, post.topic.forum)
    if not post.is_anonymous:
        raise ForumError("This post is not anonymous.")
    reason = _require_reason(reason, "revealing who wrote this post")
    reveal = Reveal.objects.create(post=post, moderator=actor, reason=reason)
    policies.forget(actor)  # the moderator's labels now include this post
    _audit_post(
        actor=actor, verb="forum.anonymous_reveal", post=post, names_author=True, reveal=reveal.pk
    )
    notify(
        user=post.author,
        kind="forum_reveal",
        url=reverse("forums:reveal", args=[reveal.pk]),
        target=reveal,
    )
    return reveal


@transaction.atomic
def handle_flag(*, actor, flag, uphold, note=""):
    flag = (
        Flag.objects.select_for_update()
        .select_related("post__topic__forum__network")
        .get(pk=flag.pk)
    )
    _require_moderator(actor, flag.post.topic.forum)
    if flag.status != Flag.Status.OPEN:
        raise ForumError("This flag has already been handled.")
    flag.status = Flag.Status.UPHELD if uphold else Flag.Status.DISMISSED
    flag.handled_by, flag.handled_at, flag.note = actor, timezone.now(), note.strip()[:500]
    flag.save(update_fields=["status", "handled_by", "handled_at", "note"])
    detail = {"anonymous": True} if flag.post.is_anonymous else {}
    audit(
        actor=actor,
        verb="forum.flag_uphold" if uphold else "forum.flag_dismiss",
        target=flag,
        network=flag.post.topic.forum.network,
        forum=flag.post.topic.forum.name,
        **detail,
    )
    return flag


TOPIC_ACTIONS = {
    "lock": ("is_locked", True),
    "unlock": ("is_locked", False),
    "pin": ("is_pinned", True),
    "unpin": ("is_pinned", False),
    "approve": ("is_approved", True),
}


@transaction.atomic
def moderate_topic(*, actor, topic, action):
    if action not in TOPIC_ACTIONS:
        raise ForumError("Choose what to do with the topic.")
    topic = Topic.objects.select_for_update().select_related("forum__network").get(pk=topic.pk)
    _require_moderator(actor, topic.forum)
    field, value = TOPIC_ACTIONS[action]
    setattr(topic, field, value)
    topic.save(update_fields=[field])
    audit(
        actor=actor,
        verb=f"forum.topic_{action}",
        target=topic,
        network=topic.forum.network,
        forum=topic.forum.name,
    )
    if action == "approve":
        notify(user=topic.author, kind="forum_topic_approved", url=_topic_url(topic), target=topic)
    return topic


@transaction.atomic
def move_topic(*, actor, topic, forum):
    topic = Topic.objects.select_for_update().select_related("forum__network").get(pk=topic.pk)
    _require_moderator(actor, topic.forum)
    if forum.network_id != topic.forum.network_id:
        raise ForumError("Topics move only between forums of the same network.")
    _require_moderator(actor, forum)
    if topic.is_anonymous or topic.posts.filter(is_anonymous=True).exists():
        if not forum.allow_anonymous:
            raise ForumError("This topic has anonymous posts; move it to a forum that allows them.")
    source = topic.forum
    topic.forum = forum
    topic.save(update_fields=["forum"])
    audit(
        actor=actor,
        verb="forum.topic_move",
        target=topic,
        network=forum.network,
        forum=forum.name,
        from_forum=source.pk,
        to_forum=forum.pk,
    )
    return topic


@transaction.atomic
def suspend_member(*, actor, network, user, days, reason):
    if not policies.can_moderate_network(actor, network):
        raise ForumError("Only the network's moderators can do that.")
    from community import policies as community_policies

    if not community_policies.is_member(user, network):
        raise ForumError("That person is not a member of this network.")
    if user.pk == actor.pk:
        raise ForumError("You cannot suspend yourself.")
    reason = _require_reason(reason, "the suspension")
    days = int(days)
    if not 1 <= days <= 365:
        raise ForumError("Suspend for between 1 and 365 days.")
    suspension = Suspension.objects.create(
        network=network,
        user=user,
        until=timezone.now() + timedelta(days=days),
        reason=reason,
        created_by=actor,
    )
    policies.forget(user)
    audit(
        actor=actor,
        verb="forum.member_suspend",
        target=network,
        network=network,
        subject=user,
        days=days,
    )
    notify(
        user=user,
        kind="forum_suspended",
        url=reverse("community:network", args=[network.slug]),
        target=None,
    )
    return suspension


def record_moderator_view(*, actor, post, what):
    """Moderators reading revisions are audited too."""
    _audit_post(actor=actor, verb=f"forum.moderator_{what}", post=post)
