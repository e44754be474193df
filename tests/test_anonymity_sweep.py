"""The sweep: an anonymous author is named in no channel but to themselves and their revealer.

DESIGN.md confidentiality rules 3 and 12. One story walks the flows that touch anonymous writing
(post, reply, edit, flag, dismiss, hide, show again, read revisions, reveal) while every other
role watches the topic live; then, for each viewer, every channel that can carry a person's name
is read and searched for the author's display name, surname, e-mail address and username:

    page          the forum, topic, post, moderation, audit, activity, notice and data pages
    fragment      the post partial (what htmx and the live topic render) and the network section
    socket frame  /ws/forums/topics/<id>/ (live, then a resume from 0) and /ws/notifications/
    search result forums.search (labels and snippets), and a search for the author's name
    export        the whole "download my data" JSON
    e-mail        every message sent while the story ran
    notice        each Notification row (kind, url, sentence) of the viewer
    audit row     every audit event as the viewer would be shown it (community.policies)
    log line      every log record written while the story and the reading ran

Before the reveal only the author may see their name. After one moderator reveals one post,
that moderator sees it (and is shown it), and the author; the peer, the other moderator and the
steward still see only pseudonyms. Pages that list members as members (the directory, a profile,
the steward's member list, the moderators' "pause posting" picker, and the audit rows of joining
and accepting the agreement) name the author as a member, not as an author, and are left out on
purpose; the steward's audit trail is read filtered to forum acts for that reason.
"""

import json
import logging
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import Client
from django.urls import reverse

from community import data as community_data
from community import notices
from community import policies as community_policies
from community.models import AuditEvent, NetworkRole, Notification
from confide.asgi import application
from forums import policies, search, services
from forums.views import network_section, render_post
from tests.factories import add_member, enrol_totp, make_network, make_user

pytestmark = pytest.mark.django_db(transaction=True)

AUTHOR_NAME = "Zadie Quillfeather"
AUTHOR_EMAIL = "zadie.quillfeather@northfield.nhs.example"
AUTHOR_USERNAME = "zquillfeather"
SECRETS = [AUTHOR_NAME, "Quillfeather", AUTHOR_EMAIL, AUTHOR_USERNAME]
VIEWERS = ["revealer", "steward", "moderator", "peer"]


def leaks(text):
    text = text.lower()
    return [secret for secret in SECRETS if secret.lower() in text]


class Story:
    """A network whose forum allows anonymous posts, the people around it, and the flows."""

    def __init__(self):
        self.steward = make_user(display_name="Grace Steward")
        self.network = make_network(steward=self.steward, slug="sweep")
        self.author = add_member(
            self.network,
            make_user(display_name=AUTHOR_NAME, email=AUTHOR_EMAIL, username=AUTHOR_USERNAME),
        )
        self.peer = add_member(self.network, make_user(display_name="Peter Peer"))
        self.moderator = add_member(
            self.network, make_user(display_name="Mo Moderator"), role=NetworkRole.MODERATOR
        )
        self.revealer = add_member(
            self.network, make_user(display_name="Owen Pritchard"), role=NetworkRole.MODERATOR
        )
        for person in (self.steward, self.moderator, self.revealer):
            enrol_totp(person)
        self.forum = services.create_forum(
            actor=self.steward,
            network=self.network,
            name="Recruitment panels",
            slug="panels",
            allow_anonymous=True,
        )
        self.topic = services.create_topic(
            actor=self.author,
            forum=self.forum,
            title="Our panels were all white",
            body="We changed how our interview panels are formed. @Peter Peer, yours?",
            anonymous=True,
        )
        self.first = self.topic.posts.get()

    def before_the_reveal(self):
        """Every flow that touches the anonymous writing except the reveal."""
        services.reply(actor=self.peer, topic=self.topic, body="Ours too, until last year.")
        self.reply = services.reply(
            actor=self.author, topic=self.topic, body="Quarterly panel reports.", anonymous=True
        )
        self.reply = services.edit_post(
            actor=self.author, post=self.reply, body="Quarterly panel reports to the board."
        )
        services.toggle_reaction(actor=self.peer, post=self.reply, kind="helpful")
        flag = services.flag_post(actor=self.peer, post=self.reply, reason="identifying")
        services.handle_flag(actor=self.moderator, flag=flag, uphold=False, note="Fine as it is")
        services.flag_post(actor=self.peer, post=self.reply, reason="other", detail="Unsure")
        self.reply = services.set_post_hidden(
            actor=self.revealer, post=self.reply, hidden=True, reason="Checking with the author"
        )
        self.reply = services.set_post_hidden(actor=self.revealer, post=self.reply, hidden=False)
        services.flag_post(actor=self.moderator, post=self.first, reason="other")
        services.record_moderator_view(actor=self.revealer, post=self.reply, what="revisions_view")
        services.moderate_topic(actor=self.moderator, topic=self.topic, action="pin")

    def reveal(self):
        self.the_reveal = services.reveal_author(
            actor=self.revealer, post=self.reply, reason="A safeguarding concern"
        )

    def marker(self):
        """Sent last: a socket that has seen this has seen everything before it."""
        return services.reply(actor=self.peer, topic=self.topic, body="Marker: end of story.")


# Channels -------------------------------------------------------------------------------------


def pages(story, user):
    """Every page that can carry a name near the anonymous writing, as this viewer reads it."""
    net = story.network.slug
    urls = [
        reverse("community:dashboard"),
        reverse("community:network", args=[net]),
        reverse("community:notifications"),
        reverse("community:my_activity"),
        reverse("community:my_activity") + "?kind=moderation",
        reverse("community:my_data"),
        reverse("community:steward_audit", args=[net]) + "?kind=moderation",
        reverse("forums:network_forums", args=[net]),
        reverse("forums:forum", args=[story.forum.pk]),
        reverse("forums:topic", args=[story.topic.pk]),
        reverse("forums:moderation", args=[net]),
        reverse("forums:library"),
        reverse("forums:search") + "?q=panel",
    ]
    for post in (story.first, story.reply):
        for name in ("post_flag", "post_hide", "post_reveal", "post_revisions", "post_edit"):
            urls.append(reverse(f"forums:{name}", args=[post.pk]))
    if getattr(story, "the_reveal", None):
        urls.append(reverse("forums:reveal", args=[story.the_reveal.pk]))
    client = Client()
    client.force_login(user)
    found = {}
    for url in urls:
        response = client.get(url, follow=True)
        html = response.content.decode()
        if url == reverse("forums:moderation", args=[net]) and response.status_code == 200:
            # The "pause a member's posting" picker lists members as members: left out.
            html = html[: html.index('id="suspend-heading"')]
        found[f"page {url}"] = html
    return found


def fragments(story, user):
    from django.test import RequestFactory

    can_moderate = policies.can_moderate_forum(user, story.forum)
    found = {}
    for post in story.topic.posts.select_related("author__profile"):
        found[f"fragment post {post.pk}"] = render_post(user, story.topic, post, can_moderate)
    request = RequestFactory().get("/")
    request.user = user
    found["fragment network section"] = network_section(request, story.network)
    return found


def search_results(story, user):
    found = {}
    for words in ("panel", "quarterly board", "Quillfeather", AUTHOR_EMAIL):
        results = search.search_posts(user, words)
        found[f"search {words!r}"] = json.dumps(
            [[r.author_label, str(r.snippet_html), r.topic.title] for r in results]
        )
        if words in ("Quillfeather", AUTHOR_EMAIL):
            assert results == [], "anonymous posts are found by their words, never their author"
    return found


def export(user):
    data = community_data.export_user_data(actor=user)
    return {"export": json.dumps(data, default=str)}


def notice_rows(user):
    rows = Notification.objects.filter(user=user)
    return {f"notice {n.pk}": json.dumps([n.kind, n.url, notices.sentence(n.kind)]) for n in rows}


def audit_rows(user):
    """Every forum act in the log, worded for this viewer (stricter than what they may open)."""
    rows = community_policies.audit_rows(user, AuditEvent.objects.filter(verb__startswith="forum."))
    return {
        f"audit row {e.pk} {e.verb}": json.dumps([e.actor_name, e.subject_name, e.sentence])
        for e in rows
    }


def read_sync_channels(story, user, check):
    """Read each channel in turn, handing what was read to `check` before the next."""
    found = {}
    policies.forget(user)
    for channel in (
        lambda: pages(story, user),
        lambda: fragments(story, user),
        lambda: search_results(story, user),
        lambda: export(user),
        lambda: notice_rows(user),
        lambda: audit_rows(user),
    ):
        read = channel()
        check(read)
        found.update(read)
    return found


def cookie_for(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(user, path):
    cookie = await sync_to_async(cookie_for)(user)
    communicator = WebsocketCommunicator(
        application,
        path,
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    if not connected:  # refused (the steward does not read the forum): nothing can leak
        await communicator.disconnect()
        return None
    return communicator


async def frames_until(communicator, last_seq):
    """Every frame up to the one that accounts for `last_seq` (the story's marker)."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=20)
        frames.append(frame)
        if frame.get("type") in ("post", "snapshot") and frame.get("seq") == last_seq:
            return frames


async def resumed_frames(user, topic_id, last_seq):
    communicator = await open_socket(user, f"/ws/forums/topics/{topic_id}/")
    if communicator is None:
        return ["refused"]
    try:
        await communicator.send_json_to({"type": "resume", "last_seq": 0})
        return await frames_until(communicator, last_seq)
    finally:
        await communicator.disconnect()


async def notification_frame(user):
    communicator = await open_socket(user, "/ws/notifications/")
    assert communicator is not None, "every signed-in person has a bell"
    try:
        return await communicator.receive_json_from(timeout=20)
    finally:
        await communicator.disconnect()


# The test's own tools log at DEBUG (factory_boy prints the objects it builds); not the site's.
TOOLING = ("factory", "faker", "markdown_it", "asyncio")


class LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        if not record.name.startswith(TOOLING):
            self.lines.append(f"{record.name} {record.getMessage()}")


@pytest.fixture
def log_lines():
    """Every log record the site writes, at any level, while the test runs."""
    handler = LogCapture()
    names = ["", "django.request", "confide", "community", "forums", "events", "mentoring"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield handler.lines
    logging.getLogger().removeHandler(handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


# The sweep ------------------------------------------------------------------------------------


def assert_clean(found, who, when):
    dirty = {where: leaks(text) for where, text in found.items() if leaks(text)}
    assert not dirty, f"{who} {when}: the anonymous author is named in {dirty}"


async def test_an_anonymous_author_is_named_in_no_channel_but_to_themselves_and_the_revealer(
    log_lines,
):
    story = await sync_to_async(Story)()
    mail.outbox.clear()
    people = {name: getattr(story, name) for name in VIEWERS}

    # Everyone but the author watches the topic live while the flows run.
    live = {
        name: await open_socket(user, f"/ws/forums/topics/{story.topic.pk}/")
        for name, user in people.items()
    }
    try:
        await sync_to_async(story.before_the_reveal)()
        marker = await sync_to_async(story.marker)()
        assert live["peer"] and live["moderator"] and live["revealer"]
        for name, communicator in live.items():
            if communicator is None:
                continue
            frames = await frames_until(communicator, marker.seq)
            assert_clean({"live frames": json.dumps(frames)}, name, "watching the flows live")
    finally:
        for communicator in live.values():
            if communicator is not None:
                await communicator.disconnect()

    async def every_channel(user, last_seq, check=lambda found: None):
        found = await sync_to_async(read_sync_channels)(story, user, check)
        frames = await resumed_frames(user, story.topic.pk, last_seq)
        found["socket resume"] = json.dumps(frames)
        found["socket notifications"] = json.dumps(await notification_frame(user))
        assert len(found) > 30, "every channel was read"
        check(found)
        return found

    def clean_for(name, when):
        return lambda found: assert_clean(found, name, when)

    for name, user in people.items():
        await every_channel(user, marker.seq, clean_for(name, "before the reveal"))

    # The author sees their own writing as theirs.
    mine = await every_channel(story.author, marker.seq)
    assert "You (anonymous)" in mine[f"page {reverse('forums:topic', args=[story.topic.pk])}"]

    await sync_to_async(story.reveal)()
    marker = await sync_to_async(story.marker)()
    for name in ("steward", "moderator", "peer"):
        await every_channel(people[name], marker.seq, clean_for(name, "after the reveal"))

    # The revealing moderator, and only they, now see the name beside the pseudonym.
    theirs = await every_channel(story.revealer, marker.seq)
    topic_page = theirs[f"page {reverse('forums:topic', args=[story.topic.pk])}"]
    assert f"(revealed to you: {AUTHOR_NAME})" in topic_page
    assert AUTHOR_NAME in theirs[f"page {reverse('forums:reveal', args=[story.the_reveal.pk])}"]
    # ...on the post they revealed, not on the author's other anonymous post.
    first = re.search(rf'id="post-{story.first.pk}".*?</article>', topic_page, re.S).group(0)
    assert not leaks(first)

    # The author's own record shows the reveal; no one else's audit rows name them.
    mine = await sync_to_async(audit_rows)(story.author)
    reveal_rows = [row for where, row in mine.items() if "anonymous_reveal" in where]
    assert reveal_rows and "Owen Pritchard" in reveal_rows[0]

    # E-mails (to anyone, the author included) and log lines name the author nowhere.
    assert mail.outbox, "the story sends notices by e-mail"
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert not leaks(text), f"e-mail to {message.to}: {leaks(text)}"
    assert log_lines, "the story writes log lines (404s, at least)"
    dirty = [line for line in log_lines if leaks(line)]
    assert not dirty, f"log lines name the anonymous author: {dirty}"
