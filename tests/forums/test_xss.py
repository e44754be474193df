"""Stored XSS: payloads in titles, posts and display names stay inert wherever they appear."""

import re
from html.parser import HTMLParser

from django.core import mail
from django.urls import reverse

from community import services as community_services
from forums import services
from tests.xss_corpus import PAYLOADS, assert_inert

USER_TEXT = re.compile(r'<div class="prose">(.*?)</div>', re.S)


def user_fragments(html):
    """The parts of a page that hold member-written HTML (rendered Markdown)."""
    return USER_TEXT.findall(html)


class PageChecker(HTMLParser):
    """Every element of a whole page: no handlers, no foreign scripts, no dangerous URLs."""

    FORBIDDEN = {"iframe", "svg", "math", "object", "embed", "img", "style", "base", "frame"}

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.FORBIDDEN:
            self.problems.append(f"<{tag}>")
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.problems.append("inline or foreign script")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value:
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                if url.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{name}={value!r}")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")


def assert_page_safe(html):
    for fragment in user_fragments(html):
        assert_inert(fragment)
    checker = PageChecker()
    checker.feed(html)
    checker.close()
    assert not checker.problems, checker.problems


def test_payloads_in_titles_posts_and_names_are_inert_on_every_page(space, client):
    space.forum.allow_anonymous = True
    for i, payload in enumerate(PAYLOADS):
        community_services.update_profile(actor=space.author, display_name=payload[:80])
        topic = space.topic(
            user=space.author,
            title=payload[:200],
            body=payload,
            kind="case_study",
            areas=["safe_spaces"],
            anonymous=i % 3 == 0,
        )
        services.reply(actor=space.author, topic=topic, body=payload)
    client.force_login(space.peer)
    urls = [
        reverse("forums:forum", args=[space.forum.pk]),
        reverse("forums:library"),
        reverse("forums:search") + "?q=alert",
        reverse("forums:network_forums", args=[space.network.slug]),
    ]
    urls += [reverse("forums:topic", args=[t.pk]) for t in space.forum.topics.all()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_page_safe(response.content.decode())


def test_preview_renders_payloads_inert(space, client):
    client.force_login(space.peer)
    for payload in PAYLOADS:
        response = client.post(
            reverse("forums:topic_create", args=[space.forum.pk]),
            {"title": payload[:200], "body": payload, "kind": "discussion", "action": "preview"},
        )
        assert response.status_code == 200
        assert_inert(str(response.context["preview"]))
        assert_page_safe(response.content.decode())


def test_emails_about_posts_carry_no_payload_and_no_content(
    space, django_capture_on_commit_callbacks
):
    topic = space.topic(user=space.peer, title="Plain")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for payload in PAYLOADS[:20]:
            services.reply(actor=space.author, topic=topic, body=payload + " @Peter Peer")
    assert mail.outbox
    for message in mail.outbox:
        assert "alert" not in message.body and "<" not in message.body
