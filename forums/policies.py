"""Who may read, post in and moderate which forum, and what each person sees (DESIGN.md).

Permissions live in guardian's direct-foreign-key tables (ForumGroupObjectPermission,
ForumUserObjectPermission). Lists join on those tables in the database; single objects read the
user's grants on one forum in one query, cached on the user object for the request or the
WebSocket connection. Deny by default: no model-level grant and no superuser opens a forum.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from community import policies as community_policies
from community.policies import group_ids
from forums.models import (
    Flag,
    Forum,
    ForumGroupObjectPermission,
    ForumUserObjectPermission,
    Post,
    Reveal,
    Suspension,
    Topic,
    TopicKind,
)

VIEW, POST, MODERATE = "view_forum", "post_in_forum", "moderate_forum"
# What create_forum grants (full names for guardian's assign_perm): readers read and post,
# moderators also moderate.
READER_PERMS = (f"forums.{VIEW}", f"forums.{POST}")
MODERATOR_PERMS = (*READER_PERMS, f"forums.{MODERATE}")


def _signed_in(user):
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and not getattr(user, "erased_at", None)
    )


def _cache(user):
    cache = getattr(user, "_forum_perm_cache", None)
    if cache is None:
        cache = {}
        user._forum_perm_cache = cache
    return cache


def forget(user):
    """Drop every cached answer for this user (permissions change during a connection)."""
    community_policies.forget_cached_permissions(user)
    for attr in ("_forum_perm_cache", "_forum_suspensions", "_forum_revealed"):
        if hasattr(user, attr):
            delattr(user, attr)


def _grants_query(user, forum_ids):
    groups = ForumGroupObjectPermission.objects.filter(
        group_id__in=group_ids(user), content_object_id__in=forum_ids
    ).values_list("content_object_id", "permission__codename")
    users = ForumUserObjectPermission.objects.filter(
        user_id=user.pk, content_object_id__in=forum_ids
    ).values_list("content_object_id", "permission__codename")
    return groups.union(users, all=True)


def prefetch_forum_perms(user, forums):
    """Read the user's grants on many forums in one query (for lists)."""
    if not _signed_in(user):
        return
    cache = _cache(user)
    wanted = [f.pk for f in forums if f.pk not in cache]
    if not wanted:
        return
    for pk in wanted:
        cache[pk] = set()
    for forum_id, codename in _grants_query(user, wanted):
        cache[forum_id].add(codename)


def _granted(user, forum):
    """The user's grants on the forum, before the gate."""
    if not _signed_in(user):
        return frozenset()
    cache = _cache(user)
    if forum.pk not in cache:
        prefetch_forum_perms(user, [forum])
    return frozenset(cache[forum.pk])


def forum_perms(user, forum):
    """The grants that count now: none unless the one gate is open for the forum's network
    (member, current agreement, two-factor), so reading, posting and moderating all pass it."""
    if not community_policies.may_see_network_content(user, forum.network_id):
        return frozenset()
    return _granted(user, forum)


def _refuse(user, forum, message):
    """The 404 for a forum the user may not use now; a member whose only missing step is the
    agreement gets AgreementRequired instead, which pages turn into a redirect to it."""
    if forum is not None and VIEW in _granted(user, forum):
        community_policies.require_network_content(user, forum.network, message)
    raise Http404(message)


def _with_perm(queryset, user, codename, prefix=""):
    """Filter forums (or rows reached through `prefix`) in the database by a grant."""
    if not _signed_in(user):
        return queryset.none()
    forum_ref = OuterRef(f"{prefix}pk" if not prefix else prefix.rstrip("_") + "_id")
    by_group = ForumGroupObjectPermission.objects.filter(
        content_object_id=forum_ref,
        group_id__in=group_ids(user),
        permission__codename=codename,
        permission__content_type__app_label="forums",
    )
    by_user = ForumUserObjectPermission.objects.filter(
        content_object_id=forum_ref,
        user_id=user.pk,
        permission__codename=codename,
        permission__content_type__app_label="forums",
    )
    # The one gate, in the database: only networks whose content the user may see now.
    network_field = f"{prefix}network" if prefix else "network"
    return queryset.filter(Q(Exists(by_group)) | Q(Exists(by_user))).filter(
        **{f"{network_field}__in": community_policies.networks_open_to(user)}
    )


# Forums ---------------------------------------------------------------------------------------


def visible_forums(user):
    return _with_perm(Forum.objects.all(), user, VIEW)


def moderated_forums(user):
    return _with_perm(Forum.objects.all(), user, MODERATE)


def can_view_forum(user, forum):
    return VIEW in forum_perms(user, forum)


def can_moderate_forum(user, forum):
    perms = forum_perms(user, forum)
    return VIEW in perms and MODERATE in perms


def suspension_for(user, network):
    """The member's current suspension from posting in a network, or None."""
    cache = getattr(user, "_forum_suspensions", None)
    if cache is None:
        cache = user._forum_suspensions = {}
    if network.pk not in cache:
        cache[network.pk] = (
            Suspension.objects.filter(network=network, user=user, until__gt=timezone.now())
            .order_by("-until")
            .first()
        )
    return cache[network.pk]


def can_post_in_forum(user, forum):
    perms = forum_perms(user, forum)
    if VIEW not in perms or POST not in perms:
        return False
    return suspension_for(user, forum.network) is None


def get_forum_for_member(user, pk):
    """The forum if the user may read it; 404 for missing and forbidden alike."""
    forum = Forum.objects.select_related("network").filter(pk=pk).first()
    if forum is None or not can_view_forum(user, forum):
        _refuse(user, forum, "No such forum.")
    return forum


def forum_readers(forum):
    """Everyone who may read the forum (to notify): its view grants, by group or in person."""
    from community.models import User

    groups = ForumGroupObjectPermission.objects.filter(
        content_object=forum, permission__codename=VIEW
    ).values("group_id")
    people = ForumUserObjectPermission.objects.filter(
        content_object=forum, permission__codename=VIEW
    ).values("user_id")
    return User.objects.filter(
        Q(groups__in=groups) | Q(pk__in=people), is_active=True, erased_at__isnull=True
    ).distinct()


def forums_in_network(user, network):
    return visible_forums(user).filter(network=network)


# Topics ---------------------------------------------------------------------------------------


def can_view_topic(user, topic):
    if not can_view_forum(user, topic.forum):
        return False
    return topic.is_approved or topic.author_id == user.pk or can_moderate_forum(user, topic.forum)


def can_reply(user, topic):
    if not can_post_in_forum(user, topic.forum) or not topic.is_approved:
        return False
    return not topic.is_locked or can_moderate_forum(user, topic.forum)


def get_topic_for_member(user, pk):
    topic = Topic.objects.select_related("forum__network").filter(pk=pk).first()
    if topic is None or not can_view_topic(user, topic):
        refuse_topic(user, topic)
    return topic


def refuse_topic(user, topic, message="No such topic."):
    """The refusal for a topic the user may not read now (404, or the agreement for pages)."""
    if topic is not None and (topic.is_approved or topic.author_id == user.pk):
        _refuse(user, topic.forum, message)
    raise Http404(message)


def get_topic_for_moderator(user, pk):
    topic = get_topic_for_member(user, pk)
    if not can_moderate_forum(user, topic.forum):
        raise Http404("No such topic.")
    return topic


def visible_topics(user, forum):
    """A forum's topics in page order: pinned first, then the latest activity."""
    topics = Topic.objects.filter(forum=forum)
    if not can_moderate_forum(user, forum):
        topics = topics.filter(Q(is_approved=True) | Q(author_id=user.pk))
    return topics.order_by("-is_pinned", "-last_activity_at", "-id")


def library_topics(user):
    """Case studies in every forum the member can read, across networks."""
    return _with_perm(
        Topic.objects.filter(kind=TopicKind.CASE_STUDY, is_approved=True), user, VIEW, "forum__"
    )


# Posts ----------------------------------------------------------------------------------------


def get_post_for_member(user, pk):
    post = Post.objects.select_related("topic__forum__network").filter(pk=pk).first()
    if post is None or not can_view_topic(user, post.topic):
        refuse_topic(user, post.topic if post is not None else None, "No such post.")
    return post


def can_edit_post(user, post):
    return (
        post.author_id == user.pk
        and not post.is_deleted
        and not post.is_hidden
        and can_view_topic(user, post.topic)
        and (not post.topic.is_locked or can_moderate_forum(user, post.topic.forum))
    )


def can_delete_post(user, post):
    """Authors may withdraw their words, even from a locked topic."""
    return post.author_id == user.pk and not post.is_deleted and can_view_topic(user, post.topic)


def can_flag_post(user, post):
    # A hidden post is already out of sight: hiding it closed its flags, and none open anew.
    return (
        post.author_id != user.pk
        and not post.is_deleted
        and not post.is_hidden
        and can_view_topic(user, post.topic)
    )


def can_react(user, post):
    return (
        post.author_id != user.pk
        and not post.is_deleted
        and not post.is_hidden
        and can_view_topic(user, post.topic)
    )


@dataclass(frozen=True, slots=True)
class PostFlags:
    """What one viewer may see and do on one post of a page."""

    is_mine: bool
    show_text: bool
    can_edit: bool
    can_delete: bool
    can_react: bool
    can_flag: bool

    def as_dict(self):
        return {name: getattr(self, name) for name in self.__slots__}


def post_flags(user, topic, posts):
    """{post pk: PostFlags} for a page of one topic's posts, with no query per post.

    The same answers as can_edit_post, can_delete_post, can_react and can_flag_post (a test
    holds them together), with the topic-wide parts asked once: the topic page and the topic
    socket show buttons from here, and the actions ask the single answers.
    """
    can_view = can_view_topic(user, topic)
    can_moderate = can_moderate_forum(user, topic.forum)
    open_to_me = can_view and (not topic.is_locked or can_moderate)
    flags = {}
    for post in posts:
        mine = post.author_id == user.pk
        shown = not post.is_deleted and not post.is_hidden
        flags[post.pk] = PostFlags(
            is_mine=mine,
            show_text=not post.is_deleted and (not post.is_hidden or mine or can_moderate),
            can_edit=mine and shown and open_to_me,
            can_delete=mine and not post.is_deleted and can_view,
            can_react=not mine and shown and can_view,
            can_flag=not mine and shown and can_view,
        )
    return flags


def can_reveal(user, post):
    return post.is_anonymous and can_moderate_forum(user, post.topic.forum)


def get_post_for_moderator(user, pk):
    post = get_post_for_member(user, pk)
    if not can_moderate_forum(user, post.topic.forum):
        raise Http404("No such post.")
    return post


def searchable_posts(user):
    """Posts a member may find by their words: readable, shown, in approved topics."""
    return _with_perm(
        Post.objects.filter(
            hidden_at__isnull=True, deleted_at__isnull=True, topic__is_approved=True
        ),
        user,
        VIEW,
        "topic__forum__",
    )


def searchable_topics(user):
    """Topics a member may find by their titles: approved, in forums they can read now."""
    return _with_perm(Topic.objects.filter(is_approved=True), user, VIEW, "forum__")


def get_reveal_for_viewer(user, pk):
    """A reveal: its moderator and the revealed author may read it; nobody else."""
    reveal = Reveal.objects.select_related("post__topic__forum__network").filter(pk=pk).first()
    if reveal is None or user.pk not in (reveal.moderator_id, reveal.post.author_id):
        raise Http404("No such notice.")
    if reveal.moderator_id == user.pk and not can_moderate_forum(user, reveal.post.topic.forum):
        raise Http404("No such notice.")
    return reveal


# Names ----------------------------------------------------------------------------------------


def _revealed_post_ids(user):
    """The posts whose author this moderator revealed: few, read once per user object."""
    ids = getattr(user, "_forum_revealed", None)
    if ids is None:
        ids = frozenset(Reveal.objects.filter(moderator=user).values_list("post_id", flat=True))
        user._forum_revealed = ids
    return ids


def has_revealed(user, content):
    """A reveal names the author to its moderator only, and only while they moderate the forum."""
    if not isinstance(content, Post) or not _signed_in(user):
        return False
    # The moderator check reads cached grants, so members never pay for the reveals query.
    return can_moderate_forum(user, content.topic.forum) and content.pk in _revealed_post_ids(user)


def _author(writing):
    # An anonymous author's row is not read for the label unless it shows their name.
    loaded = type(writing)._meta.get_field("author").is_cached(writing)
    return writing.author if loaded or not writing.is_anonymous else writing.author_id


def author_label(viewer, post):
    """What a viewer sees as a post's author: community.policies.person_label decides."""
    return community_policies.person_label(viewer, _author(post), anonymous_in=post)


def author_byline(viewer, post):
    """Board role and organisation under a signed post, as the author allows; never anonymous."""
    return community_policies.person_byline(viewer, post.author, anonymous_in=post)


def topic_author_label(viewer, topic):
    return community_policies.person_label(viewer, _author(topic), anonymous_in=topic)


def handled_flags(user, forums, limit=50):
    """The moderation history of forums the caller moderates: handled flags, newest first,
    with who handled each and the post's author, both named through person_label."""
    flags = list(
        Flag.objects.filter(post__topic__forum__in=forums)
        .exclude(status=Flag.Status.OPEN)
        .select_related("post__topic__forum", "post__author__profile", "handled_by__profile")
        .order_by("-handled_at", "-id")[:limit]
    )
    for flag in flags:
        flag.post_label = author_label(user, flag.post)
        flag.handled_by_label = community_policies.person_label(user, flag.handled_by)
    return flags


# Notifications ---------------------------------------------------------------------------------


def can_see_notification_target(user, target):
    if isinstance(target, Post):
        return can_view_topic(user, target.topic)
    if isinstance(target, Topic):
        return can_view_topic(user, target)
    if isinstance(target, Reveal):
        return target.post.author_id == user.pk
    if isinstance(target, Forum):
        return can_view_forum(user, target)
    return False


def can_moderate_network(user, network):
    return moderated_forums(user).filter(network=network).exists()


# Notices --------------------------------------------------------------------------------------

_NOTICE_ABOUT_POST = {
    "forum_reply": "{who} replied in '{title}'",
    "forum_mention": "{who} mentioned you in '{title}'",
    "forum_post_hidden": "A moderator hid your post in '{title}'",
}
_NOTICE_ABOUT_TOPIC = {"forum_topic_approved": "A moderator approved your topic '{title}'"}


def describe_notification(viewer, notification):
    """In-app only, and only once the target was re-checked: who did what, and where. The
    person is named through person_label, so an anonymous author stays anonymous."""
    target = notification.target
    if isinstance(target, Post) and notification.kind in _NOTICE_ABOUT_POST:
        return _NOTICE_ABOUT_POST[notification.kind].format(
            who=author_label(viewer, target), title=target.topic.title
        )
    if isinstance(target, Topic) and notification.kind in _NOTICE_ABOUT_TOPIC:
        return _NOTICE_ABOUT_TOPIC[notification.kind].format(title=target.title)
    return None
