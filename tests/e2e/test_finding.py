"""Finding and following in Chromium: search with its filters and suggestions, notices that
say what happened, and the first unread post; axe on each page."""

import pytest
from playwright.sync_api import expect

from forums import services
from tests.conftest import off_loop
from tests.e2e.test_forums import build

pytestmark = pytest.mark.browser


def test_search_notices_and_unread_pages_are_accessible(browser_session, axe):
    network, author, peer, moderator, forum, topic = off_loop(build)

    def reply():
        services.create_topic(
            actor=author, forum=forum, title="Recruitment panels", body="Who sits on them?"
        )
        services.reply(actor=author, topic=topic, body="We started with the figures.")

    reader = browser_session().sign_in(peer)
    reader.page.goto(f"/forums/topics/{topic.pk}/")
    off_loop(reply)
    page = reader.page
    page.goto("/forums/search/")
    axe(page)
    page.get_by_label("Search words").fill("recruitment")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("list", name="Search results")
    expect(results).to_contain_text("Recruitment panels")
    axe(page)
    page.get_by_label("Search words").fill("recruitmnet")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Nothing matched")).to_be_visible()
    page.get_by_role("link", name="recruitment").click()
    expect(page.get_by_role("list", name="Search results")).to_contain_text("Recruitment panels")
    axe(page)
    page.goto(f"/forums/topics/{topic.pk}/")
    expect(page.get_by_role("link", name="New since your last visit")).to_be_visible()
    axe(page)
    page.goto("/notifications/")
    expect(page.get_by_role("link", name="Zadie Quillfeather replied in")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Zadie Quillfeather replied in").click()
    expect(page.get_by_text("We started with the figures.")).to_be_visible()
