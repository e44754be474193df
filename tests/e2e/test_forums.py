"""Forums in Chromium: an anonymous reply arrives live, is flagged, hidden and revealed."""

import pytest
from playwright.sync_api import expect

from community.models import NetworkRole
from forums import services
from tests.conftest import off_loop
from tests.factories import add_member, enrol_totp, make_network, make_user
from tests.xss_corpus import PAYLOADS

pytestmark = pytest.mark.browser


def visit(session, path):
    response = session.page.goto(path)
    assert response.status == 200, path


def build():
    network = make_network(slug="e2e-chairs")
    author = add_member(network, make_user(display_name="Zadie Quillfeather"))
    peer = add_member(network, make_user(display_name="Peter Peer"))
    moderator = add_member(network, make_user(display_name="Mo Moderator"), NetworkRole.MODERATOR)
    enrol_totp(moderator)
    forum = services.create_forum(
        actor=None, network=network, name="Open talk", slug="open", allow_anonymous=True
    )
    topic = services.create_topic(
        actor=peer, forum=forum, title="Moving beyond 'inclusion'", body="Where did you start?"
    )
    return network, author, peer, moderator, forum, topic


def test_anonymous_reply_arrives_live_is_flagged_hidden_and_revealed(browser_session, axe):
    network, author, peer, moderator, forum, topic = off_loop(build)
    topic_path = f"/forums/topics/{topic.pk}/"

    reader = browser_session().sign_in(peer)
    visit(reader, topic_path)
    reader.page.wait_for_selector("[data-live-state][data-state=open]")
    axe(reader.page)

    writer = browser_session().sign_in(author)
    visit(writer, f"/networks/{network.slug}/")
    axe(writer.page)
    visit(writer, f"/forums/{forum.pk}/")
    axe(writer.page)
    visit(writer, topic_path)
    writer.page.get_by_label("Your reply").fill("Our board began by *listening* to staff.")
    writer.page.get_by_label("Reply anonymously").check()
    writer.page.get_by_role("button", name="Post reply").click()
    writer.page.wait_for_selector("text=You (anonymous)")

    # The reader sees the pseudonym arrive without reloading, announced politely.
    live_post = reader.page.locator("article.forum-post", has_text="Anonymous member 1")
    live_post.wait_for()
    expect(live_post).to_contain_text("listening")
    reader.page.wait_for_function(
        "document.querySelector('[data-forum-announce]').textContent.includes('Anonymous member 1')"
    )
    assert "Quillfeather" not in reader.page.content()
    live_post.get_by_role("link", name="Flag").click()
    axe(reader.page)
    reader.page.get_by_label("Breaks the safe-space agreement").check()
    reader.page.get_by_role("button", name="Send to the moderators").click()
    reader.page.wait_for_selector("text=The moderators will look at this post")

    mod = browser_session().sign_in(moderator)
    visit(mod, f"/forums/networks/{network.slug}/moderation/")
    axe(mod.page)
    mod.page.get_by_role("link", name="A post by Anonymous member 1").click()
    post = mod.page.locator("article.forum-post", has_text="Anonymous member 1")
    post.get_by_role("link", name="Hide").click()
    axe(mod.page)
    mod.page.get_by_label("Reason").fill("Names a colleague who could be identified.")
    mod.page.get_by_role("button", name="Hide the post").click()
    mod.page.wait_for_selector("text=The post is hidden.")
    axe(mod.page)
    post = mod.page.locator("article.forum-post", has_text="Anonymous member 1")
    post.get_by_role("link", name="Reveal author").click()
    axe(mod.page)
    mod.page.get_by_label("Reason").fill("A safeguarding concern raised by a member.")
    mod.page.get_by_role("button", name="Reveal the author to me").click()
    mod.page.wait_for_selector("text=Zadie Quillfeather")
    axe(mod.page)

    # The hidden post reached the reader live too.
    reader.page.goto(topic_path)
    reader.page.wait_for_selector("text=Hidden by a moderator")
    assert "listening" not in reader.page.content()

    visit(writer, "/notifications/")
    axe(writer.page)
    writer.page.get_by_role("link", name="A moderator has seen who wrote").click()
    writer.page.wait_for_selector("text=A safeguarding concern raised by a member.")
    axe(writer.page)

    for session in (reader, writer, mod):
        assert session.console_errors == []
        assert session.dialogs == []


def test_a_page_full_of_payloads_runs_no_script(browser_session, monkeypatch):
    monkeypatch.setattr(services, "RATE_LIMIT_POSTS", 10_000)
    network, author, peer, moderator, forum, topic = off_loop(build)

    def fill():
        from community import services as community_services

        for payload in PAYLOADS:
            community_services.update_profile(actor=author, display_name=payload[:80])
            services.reply(actor=author, topic=topic, body=payload)
        services.create_topic(actor=author, forum=forum, title=PAYLOADS[0], body=PAYLOADS[7])

    off_loop(fill)
    reader = browser_session().sign_in(peer)
    reader.page.add_init_script(
        "window.__ran = false; window.alert = () => { window.__ran = true; };"
    )
    for path in (f"/forums/topics/{topic.pk}/", f"/forums/{forum.pk}/", "/forums/search/?q=alert"):
        visit(reader, path)
        # Every load done (a payload's onerror or onload fires by then), then a task queued last:
        # whatever script a payload could run has had its turn before this answers.
        reader.page.wait_for_load_state("networkidle")
        reader.page.evaluate("() => new Promise(resolve => setTimeout(resolve, 0))")
        assert reader.page.evaluate("window.__ran") is False, path
    assert reader.dialogs == []
    assert reader.console_errors == []
