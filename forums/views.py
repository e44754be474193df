"""HTTP adapters for the forums: parse, ask the policies, call the services, render."""

import math

from django.contrib import messages
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from community import policies as community_policies
from community.models import User
from community.parsing import parse_id
from community.text import render_markdown
from forums import forms, policies, search, services
from forums.models import Flag, Post, Reaction, ReadState, Subscription, Topic

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 50


def _page_number(request, num_pages):
    try:
        number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        number = 1
    return min(max(number, 1), max(num_pages, 1))


def _agreement_redirect(request, network):
    """Network-level pages (stewards may enter without being members); forum, topic and post
    lookups raise AgreementRequired themselves (the one gate, forums.policies)."""
    if community_policies.needs_agreement(request.user, network):
        return redirect("community:agreement", slug=network.slug)
    return None


# Forum lists -----------------------------------------------------------------


def forums_with_counts(user, network):
    """The forums a user can read in a network, with topic and unread counts, in one query."""
    visible_topics = Topic.objects.filter(forum=OuterRef("pk"), is_approved=True).order_by()
    read = ReadState.objects.filter(
        user_id=user.pk, topic=OuterRef("pk"), last_read_seq__gte=OuterRef("last_seq")
    )
    count = visible_topics.values("forum").annotate(n=Count("pk")).values("n")
    unread = (
        visible_topics.exclude(Exists(read)).values("forum").annotate(n=Count("pk")).values("n")
    )
    return list(
        policies.forums_in_network(user, network).annotate(
            topic_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
            unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
        )
    )


def network_section(request, network):
    """The network home's forum list (a hook read by community.views.network_home)."""
    forums = forums_with_counts(request.user, network)
    return render_to_string(
        "forums/forum_list.html#forum_list",
        {
            "forums": forums,
            "network": network,
            "is_moderator": community_policies.is_moderator(request.user, network),
        },
        request=request,
    )


def network_forums(request, slug):
    network = community_policies.get_network_for_member(request.user, slug)
    if response := _agreement_redirect(request, network):
        return response
    return render(
        request,
        "forums/forum_list.html",
        {
            "network": network,
            "forums": forums_with_counts(request.user, network),
            "is_moderator": community_policies.is_moderator(request.user, network),
        },
    )


def forum_detail(request, pk):
    forum = policies.get_forum_for_member(request.user, pk)
    topics = policies.visible_topics(request.user, forum)
    total = topics.count()
    num_pages = math.ceil(total / TOPICS_PER_PAGE) or 1
    number = _page_number(request, num_pages)
    start = (number - 1) * TOPICS_PER_PAGE
    read_seq = ReadState.objects.filter(user_id=request.user.pk, topic=OuterRef("pk")).values(
        "last_read_seq"
    )[:1]
    page = list(
        topics.select_related("author__profile").annotate(
            read_seq=Coalesce(Subquery(read_seq), Value(0))
        )[start : start + TOPICS_PER_PAGE]
    )
    for topic in page:
        topic.author_label = policies.topic_author_label(request.user, topic)
        topic.unread = topic.read_seq < topic.last_seq
    return render(
        request,
        "forums/forum_detail.html",
        {
            "forum": forum,
            "network": forum.network,
            "topics": page,
            "page_number": number,
            "num_pages": num_pages,
            "can_post": policies.can_post_in_forum(request.user, forum),
            "can_moderate": policies.can_moderate_forum(request.user, forum),
        },
    )


def _form_error(form, error):
    form.add_error(None, str(error))
    return form


def topic_create(request, pk):
    forum = policies.get_forum_for_member(request.user, pk)
    preview = None
    status = 200
    if request.method == "POST":
        form = forms.TopicForm(request.POST, allow_anonymous=forum.allow_anonymous)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == "preview":
                preview = render_markdown(data["body"])
            else:
                try:
                    topic = services.create_topic(
                        actor=request.user,
                        forum=forum,
                        title=data["title"],
                        body=data["body"],
                        anonymous=data.get("anonymous", False),
                        kind=data["kind"],
                        areas=data["areas"],
                        organisation_kind=data["organisation_kind"],
                    )
                except services.PostingTooSoon as error:
                    _form_error(form, error)
                    status = 429
                except services.ForumError as error:
                    _form_error(form, error)
                    status = 400
                else:
                    if not topic.is_approved:
                        messages.success(
                            request, "Thank you. A moderator will approve your topic shortly."
                        )
                    return redirect("forums:topic", pk=topic.pk)
    else:
        form = forms.TopicForm(allow_anonymous=forum.allow_anonymous)
    return render(
        request,
        "forums/topic_create.html",
        {
            "forum": forum,
            "network": forum.network,
            "form": form,
            "preview": preview,
            "can_post": policies.can_post_in_forum(request.user, forum),
        },
        status=status,
    )


# The topic page -----------------------------------------------------------------


def decorate_posts(user, topic, posts, can_moderate):
    """What this viewer sees on each post: the author's label and which buttons apply."""
    reacted = set()
    if posts:
        reacted = set(
            Reaction.objects.filter(user_id=user.pk, post__in=[p.pk for p in posts]).values_list(
                "post_id", "kind"
            )
        )
    flags = policies.post_flags(user, topic, posts)
    # One reverse() for the page instead of several per post: /forums/posts/<pk>/<action>/.
    prefix = reverse("forums:post", args=[0])[: -len("0/")]
    community_policies.prefetch_profile_visibility(
        user, [getattr(p.author, "profile", None) for p in posts if not p.is_anonymous]
    )
    for post in posts:
        post.topic = topic
        post.url = f"{prefix}{post.pk}/"
        post.author_label = policies.author_label(user, post)
        post.author_byline = policies.author_byline(user, post)
        # The flags come from the policy; the template reads them as the post's attributes.
        for name, value in flags[post.pk].as_dict().items():
            setattr(post, name, value)
        post.thanked = (post.pk, "thanks") in reacted
        post.found_helpful = (post.pk, "helpful") in reacted
    return posts


def post_context(user, topic, post, can_moderate):
    decorate_posts(user, topic, [post], can_moderate)
    return {"post": post, "topic": topic, "can_moderate": can_moderate}


def render_post(user, topic, post, can_moderate, request=None):
    return render_to_string(
        "forums/topic_detail.html#post",
        post_context(user, topic, post, can_moderate),
        request=request,
    )


def _topic_for_page(user, pk):
    topic = (
        Topic.objects.select_related("forum__network")
        .annotate(
            watching=Exists(Subscription.objects.filter(user_id=user.pk, topic=OuterRef("pk"))),
            read_seq=Coalesce(
                Subquery(
                    ReadState.objects.filter(user_id=user.pk, topic=OuterRef("pk")).values(
                        "last_read_seq"
                    )[:1]
                ),
                Value(-1),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if topic is None or not policies.can_view_topic(user, topic):
        policies.refuse_topic(user, topic)
    return topic


def topic_detail(request, pk):
    topic = _topic_for_page(request.user, pk)
    forum = topic.forum
    can_moderate = policies.can_moderate_forum(request.user, forum)
    can_reply = policies.can_reply(request.user, topic)
    status = 200
    preview = None
    if request.method == "POST":
        form = forms.ReplyForm(request.POST, allow_anonymous=forum.allow_anonymous)
        if form.is_valid():
            if request.POST.get("action") == "preview":
                preview = render_markdown(form.cleaned_data["body"])
            else:
                try:
                    post = services.reply(
                        actor=request.user,
                        topic=topic,
                        body=form.cleaned_data["body"],
                        anonymous=form.cleaned_data.get("anonymous", False),
                    )
                except services.PostingTooSoon as error:
                    _form_error(form, error)
                    status = 429
                except services.ForumError as error:
                    _form_error(form, error)
                    status = 400
                else:
                    return redirect(_post_location(post))
        else:
            status = 400
    else:
        form = forms.ReplyForm(allow_anonymous=forum.allow_anonymous)
    # "New since your last visit": the first post written or changed after the member last read
    # the topic (one query, whatever the number of posts); ?unread jumps straight to it.
    first_unread = None
    if 0 <= topic.read_seq < topic.last_seq:
        first_unread = (
            Post.objects.filter(topic=topic, seq__gt=topic.read_seq)
            .order_by("created_at", "id")
            .only("pk", "topic_id", "created_at")
            .first()
        )
    if request.method == "GET" and "unread" in request.GET and first_unread is not None:
        return redirect(_post_location(first_unread))
    num_pages = math.ceil(topic.post_count / POSTS_PER_PAGE) or 1
    # A refused reply is shown again under the last page, where it would have gone.
    number = num_pages if request.method == "POST" else _page_number(request, num_pages)
    start = (number - 1) * POSTS_PER_PAGE
    posts = list(
        Post.objects.filter(topic=topic)
        .select_related("author__profile__organisation")
        .order_by("created_at", "id")[start : start + POSTS_PER_PAGE]
    )
    decorate_posts(request.user, topic, posts, can_moderate)
    for post in posts:
        post.is_new = 0 <= topic.read_seq < post.seq
    if topic.read_seq < topic.last_seq:
        services.mark_read(actor=request.user, topic=topic, first_time=topic.read_seq < 0)
    move_targets = []
    if can_moderate:
        move_targets = [
            f
            for f in policies.moderated_forums(request.user).filter(network=forum.network)
            if f.pk != forum.pk
        ]
    return render(
        request,
        "forums/topic_detail.html",
        {
            "topic": topic,
            "forum": forum,
            "network": forum.network,
            "topic_author": policies.topic_author_label(request.user, topic),
            "posts": posts,
            "page_number": number,
            "num_pages": num_pages,
            "is_last_page": number == num_pages,
            "can_reply": can_reply,
            "can_moderate": can_moderate,
            "form": form,
            "preview": preview,
            "move_targets": move_targets,
            "first_unread_url": _post_location(first_unread) if first_unread else "",
        },
        status=status,
    )


def _post_location(post):
    before = Post.objects.filter(topic_id=post.topic_id, created_at__lt=post.created_at).count()
    page = before // POSTS_PER_PAGE + 1
    return f"{reverse('forums:topic', args=[post.topic_id])}?page={page}#post-{post.pk}"


def post_detail(request, pk):
    post = policies.get_post_for_member(request.user, pk)
    return redirect(_post_location(post))


@require_POST
def topic_watch(request, pk):
    topic = policies.get_topic_for_member(request.user, pk)
    watching = request.POST.get("watch") == "1"
    services.set_watching(actor=request.user, topic=topic, watching=watching)
    messages.success(
        request,
        "You will be told about new replies." if watching else "You no longer follow this topic.",
    )
    return redirect("forums:topic", pk=topic.pk)


@require_POST
def topic_moderate(request, pk):
    topic = policies.get_topic_for_moderator(request.user, pk)
    action = request.POST.get("action", "")
    try:
        if action == "move":
            forum_id = parse_id(request.POST.get("forum"))
            if forum_id is None:
                raise services.ForumError("Choose a forum to move the topic to.")
            target = policies.get_forum_for_member(request.user, forum_id)
            services.move_topic(actor=request.user, topic=topic, forum=target)
            messages.success(request, f"Topic moved to {target.name}.")
        else:
            services.moderate_topic(actor=request.user, topic=topic, action=action)
            messages.success(request, "Done.")
    except services.ForumError as error:
        messages.error(request, str(error))
    return redirect("forums:topic", pk=topic.pk)


# Posts -----------------------------------------------------------------


def post_edit(request, pk):
    post = policies.get_post_for_member(request.user, pk)
    if not policies.can_edit_post(request.user, post):
        raise Http404("No such post.")
    status = 200
    if request.method == "POST":
        form = forms.EditForm(request.POST)
        if form.is_valid():
            try:
                services.edit_post(actor=request.user, post=post, body=form.cleaned_data["body"])
            except services.ForumError as error:
                _form_error(form, error)
                status = 400
            else:
                messages.success(request, "Your post was updated.")
                return redirect(_post_location(post))
    else:
        form = forms.EditForm(initial={"body": post.source})
    return render(
        request,
        "forums/post_edit.html",
        {"post": post, "topic": post.topic, "form": form},
        status=status,
    )


@require_POST
def post_delete(request, pk):
    post = policies.get_post_for_member(request.user, pk)
    if not policies.can_delete_post(request.user, post):
        raise Http404("No such post.")
    try:
        services.delete_post(actor=request.user, post=post)
        messages.success(request, "Your post was deleted.")
    except services.ForumError as error:
        messages.error(request, str(error))
    return redirect(_post_location(post))


@require_POST
def post_react(request, pk):
    post = policies.get_post_for_member(request.user, pk)
    form = forms.ReactionForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ForumError("Choose thank you or helpful.")
        services.toggle_reaction(actor=request.user, post=post, kind=form.cleaned_data["kind"])
    except services.ForumError as error:
        messages.error(request, str(error))
    return redirect(_post_location(post))


def post_flag(request, pk):
    post = policies.get_post_for_member(request.user, pk)
    if not policies.can_flag_post(request.user, post):
        raise Http404("No such post.")
    status = 200
    if request.method == "POST":
        form = forms.FlagForm(request.POST)
        if form.is_valid():
            try:
                services.flag_post(actor=request.user, post=post, **form.cleaned_data)
            except services.ForumError as error:
                _form_error(form, error)
                status = 400
            else:
                messages.success(request, "Thank you. The moderators will look at this post.")
                return redirect(_post_location(post))
        else:
            status = 400
    else:
        form = forms.FlagForm()
    return render(
        request,
        "forums/post_flag.html",
        {"post": post, "topic": post.topic, "form": form},
        status=status,
    )


def post_hide(request, pk):
    post = policies.get_post_for_moderator(request.user, pk)
    status = 200
    if request.method == "POST":
        form = forms.ReasonForm(request.POST)
        hide = request.POST.get("action") != "unhide"
        # Validate first, so the form that is shown again keeps what was typed and its errors.
        reason_given = form.is_valid()
        try:
            if hide and not reason_given:
                raise services.ForumError("Write a reason for hiding the post.")
            services.set_post_hidden(
                actor=request.user,
                post=post,
                hidden=hide,
                reason=form.cleaned_data.get("reason", "") if hide else "",
            )
        except services.ForumError as error:
            _form_error(form, error)
            status = 400
        else:
            messages.success(request, "The post is hidden." if hide else "The post is shown again.")
            return redirect(_post_location(post))
    else:
        form = forms.ReasonForm()
    return render(
        request,
        "forums/post_hide.html",
        {"post": post, "topic": post.topic, "form": form},
        status=status,
    )


def post_reveal(request, pk):
    post = policies.get_post_for_moderator(request.user, pk)
    if not post.is_anonymous:
        raise Http404("No such post.")
    status = 200
    if request.method == "POST":
        form = forms.ReasonForm(request.POST)
        try:
            if not form.is_valid():
                raise services.ForumError("Write a reason for revealing who wrote this post.")
            reveal = services.reveal_author(
                actor=request.user, post=post, reason=form.cleaned_data["reason"]
            )
        except services.ForumError as error:
            _form_error(form, error)  # the bound form keeps what was typed
            status = 400
        else:
            return redirect("forums:reveal", pk=reveal.pk)
    else:
        form = forms.ReasonForm()
    return render(
        request,
        "forums/post_reveal.html",
        {"post": post, "topic": post.topic, "form": form},
        status=status,
    )


def post_revisions(request, pk):
    post = policies.get_post_for_moderator(request.user, pk)
    services.record_moderator_view(actor=request.user, post=post, what="revisions_view")
    return render(
        request,
        "forums/post_revisions.html",
        {
            "post": post,
            "topic": post.topic,
            "author_label": policies.author_label(request.user, post),
            "revisions": post.revisions.all(),
        },
    )


def reveal_detail(request, pk):
    reveal = policies.get_reveal_for_viewer(request.user, pk)
    post = reveal.post
    return render(
        request,
        "forums/reveal_detail.html",
        {
            "reveal": reveal,
            "post": post,
            "topic": post.topic,
            "is_author": post.author_id == request.user.pk,
            "author_label": policies.author_label(request.user, post),
        },
    )


# Moderation -----------------------------------------------------------------


def moderation(request, slug):
    network = community_policies.get_network_for_member(request.user, slug)
    if response := _agreement_redirect(request, network):
        return response
    forums = list(policies.moderated_forums(request.user).filter(network=network))
    if not forums:
        raise Http404("No such page.")
    members = list(
        User.objects.filter(groups=network.members_group, erased_at__isnull=True)
        .exclude(pk=request.user.pk)
        .select_related("profile")
        .order_by("profile__display_name")
    )
    choices = [(m.pk, community_policies.person_label(request.user, m)) for m in members]
    form = forms.SuspendForm(members=choices)
    status = 200
    if request.method == "POST":
        form = forms.SuspendForm(request.POST, members=choices)
        if form.is_valid():
            try:
                member = next(m for m in members if str(m.pk) == form.cleaned_data["member"])
                services.suspend_member(
                    actor=request.user,
                    network=network,
                    user=member,
                    days=form.cleaned_data["days"],
                    reason=form.cleaned_data["reason"],
                )
            except services.ForumError as error:
                _form_error(form, error)
                status = 400
            else:
                name = community_policies.person_label(request.user, member)
                messages.success(request, f"{name} cannot post for now.")
                return redirect("forums:moderation", slug=network.slug)
        else:
            status = 400
    flags = list(
        Flag.objects.filter(status=Flag.Status.OPEN, post__topic__forum__in=forums).select_related(
            "post__topic__forum", "post__author__profile"
        )
    )
    for flag in flags:
        flag.post_label = policies.author_label(request.user, flag.post)
    handled = policies.handled_flags(request.user, forums)
    pending = list(
        Topic.objects.filter(is_approved=False, forum__in=forums).select_related(
            "forum", "author__profile"
        )
    )
    for topic in pending:
        topic.author_label = policies.topic_author_label(request.user, topic)
    return render(
        request,
        "forums/moderation_queue.html",
        {
            "network": network,
            "flags": flags,
            "handled": handled,
            "pending": pending,
            "form": form,
        },
        status=status,
    )


@require_POST
def flag_handle(request, pk):
    flag = Flag.objects.select_related("post__topic__forum__network").filter(pk=pk).first()
    if flag is None or not policies.can_moderate_forum(request.user, flag.post.topic.forum):
        raise Http404("No such flag.")
    try:
        services.handle_flag(
            actor=request.user,
            flag=flag,
            uphold=request.POST.get("action") == "uphold",
            note=request.POST.get("note", ""),
        )
        messages.success(request, "The flag is closed.")
    except services.ForumError as error:
        messages.error(request, str(error))
    return redirect("forums:moderation", slug=flag.post.topic.forum.network.slug)


# Search and the practice library -----------------------------------------------------------------


def search_view(request):
    form = forms.SearchForm(
        request.GET, networks=community_policies.networks_open_to(request.user).order_by("name")
    )
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = search.search(
            request.user,
            form.cleaned_data["q"].strip(),
            network=form.cleaned_data["network"],
            case_studies_only=form.cleaned_data["case_studies"],
        )
    return render(request, "forums/search_results.html", {"form": form, "results": results})


def library(request):
    form = forms.LibraryForm(request.GET)
    topics = policies.library_topics(request.user)
    order = "newest"
    if form.is_valid():
        if form.cleaned_data["area"]:
            topics = topics.filter(areas__area=form.cleaned_data["area"])
        if form.cleaned_data["organisation_kind"]:
            topics = topics.filter(organisation_kind=form.cleaned_data["organisation_kind"])
        order = form.cleaned_data["order"] or "newest"
    if order == "helpful":
        topics = topics.order_by("-helpful_count", "-created_at")
    else:
        topics = topics.order_by("-created_at")
    topics = list(
        topics.select_related("forum__network", "author__profile").prefetch_related("areas")[:100]
    )
    for topic in topics:
        topic.author_label = policies.topic_author_label(request.user, topic)
    return render(request, "forums/library.html", {"form": form, "topics": topics})
