"""Real pages in Chromium on a live daphne: no console errors, no CSP violations, axe clean."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_user

pytestmark = pytest.mark.browser

PUBLIC_PATHS = ["/accounts/login/", "/privacy/", "/accessibility/", "/accounts/password/reset/"]
SIGNED_IN_PATHS = [
    "/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/sessions/",
]


def visit(session, path):
    response = session.page.goto(path)
    assert response.status == 200, path
    return response


def test_public_pages_load_cleanly_and_are_accessible(browser_session, axe):
    visitor = browser_session()
    for path in PUBLIC_PATHS:
        visit(visitor, path)
        axe(visitor.page)
    assert visitor.console_errors == []


def test_signed_in_pages_load_cleanly_and_are_accessible(browser_session, axe):
    member = browser_session().sign_in(make_user(display_name="Adaeze Okafor"))
    for path in SIGNED_IN_PATHS:
        visit(member, path)
        axe(member.page)
    assert member.console_errors == []
    visit(member, "/")
    expect(member.page.get_by_text("Signed in as")).to_be_visible()


def test_home_page_works_at_320_pixels_wide(browser_session, axe):
    member = browser_session().sign_in(make_user())
    member.page.set_viewport_size({"width": 320, "height": 640})
    visit(member, "/")
    width = member.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
    axe(member.page)


def test_skip_link_moves_keyboard_focus_to_the_main_content(browser_session):
    member = browser_session().sign_in(make_user())
    visit(member, "/")
    member.page.keyboard.press("Tab")
    assert member.page.evaluate("document.activeElement.textContent") == "Skip to main content"
    member.page.keyboard.press("Enter")
    assert member.page.evaluate("document.activeElement.id") == "main"
