"""Journeys walked in Chromium on a live daphne, axe clean on every page visited.

The invited chair starts from the link in the invitation e-mail (written to files by the
server) and from then on only follows links and presses buttons, as a person would. On
PostgreSQL when DATABASE_URL is set (the server uses the test database either way).
"""

import quopri
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import enrol_totp, make_network, make_user, totp_code

pytestmark = pytest.mark.browser

CHAIR_EMAIL = "margaret.ellison@northfield.nhs.example"
CHAIR_PASSWORD = "a long and private chair password 2026"


def read_mail(mail_dir: Path):
    raw = "\n".join(path.read_text() for path in sorted(mail_dir.glob("*")))
    return quopri.decodestring(raw.encode()).decode()


def test_the_invited_chair_walks_from_the_email_to_the_network_with_two_factor(
    browser, mail_server, axe
):
    steward = make_user(display_name="Grace Adeyemi")
    network = make_network(
        steward=steward,
        name="Chairs' race equality network",
        slug="chairs-journey",
        requires_two_factor=True,
        agreement="What is said here stays here.",
    )
    enrol_totp(steward)

    # The steward invites the chair through the page.
    grace = browser().sign_in(steward)
    grace.page.goto(f"/networks/{network.slug}/steward/invite/")
    grace.page.get_by_label("E-mail addresses").fill(CHAIR_EMAIL)
    grace.page.get_by_role("button", name="Send invitations").click()
    expect(grace.page.get_by_text("Invitation sent.")).to_be_visible()

    # The e-mail says who invited her, to which network, and why Confide is confidential.
    text = read_mail(mail_server.mail_dir)
    assert "Grace Adeyemi has invited you" in text
    assert "Chairs' race equality network" in text
    assert "Why it is confidential" in text
    link = re.search(r"http://127\.0\.0\.1:\d+/invitations/[^/\s]+/", text).group(0)

    # The first and only address she types: the link from the e-mail.
    chair = browser()
    page = chair.page
    response = page.goto(link)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    axe(page)
    expect(page.get_by_label("E-mail address")).to_have_value(CHAIR_EMAIL)
    page.get_by_label("Your name").fill("Margaret Ellison")
    page.get_by_label("Board role").select_option(label="Chair")
    page.get_by_label("Organisation", exact=True).select_option(label="Other (not on the list)")
    page.get_by_label("Organisation, if it is not on the list").fill(
        "Northfield Hospitals NHS Foundation Trust"
    )
    page.get_by_label("Pronouns (optional)").fill("she/her")
    page.get_by_label("Choose a password").fill(CHAIR_PASSWORD)
    page.get_by_label("Type the password again").fill(CHAIR_PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    # The network's agreement comes first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Safe-space agreement")
    assert page.url.endswith(f"/networks/{network.slug}/agreement/")
    axe(page)
    page.get_by_role("button", name="I accept the agreement").click()

    # Then two-factor set-up, without being asked for the password again.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    assert "/reauthenticate/" not in page.url
    axe(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    # Recovery codes, then a clear step on.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(
        page.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    ).not_to_have_count(0)
    axe(page)
    page.get_by_role("button", name="I have saved these codes, continue").click()

    # The network's home page, under her own name.
    expect(page.get_by_role("heading", level=1)).to_have_text(network.name)
    expect(page.get_by_role("banner")).to_contain_text("Margaret Ellison")
    axe(page)
    assert chair.console_errors == []


def test_a_mistyped_url_shows_the_branded_404_page_with_debug_on(browser, axe):
    # The server runs with DEBUG=1, as `make demo` does.
    visitor = browser()
    response = visitor.page.goto("/netwroks/")
    assert response.status == 404
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(visitor.page.get_by_role("banner")).to_contain_text("Confide")
    assert "URLconf" not in visitor.page.content()
    axe(visitor.page)

    member = browser().sign_in(make_user(display_name="Dev Raman"))
    response = member.page.goto("/forums/topics/999999/")
    assert response.status == 404
    expect(member.page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe(member.page)
    member.page.get_by_role("link", name="Go to your home page").click()
    expect(member.page.get_by_role("heading", level=1)).to_contain_text("Dev Raman")


def test_the_header_is_one_row_wide_and_a_menu_button_on_a_phone(browser, axe):
    user = make_user(display_name="Margaret Ellison")
    wide = browser(viewport={"width": 1280, "height": 800}).sign_in(user)
    wide.page.goto("/")
    header = wide.page.get_by_role("banner")
    expect(wide.page.get_by_role("button", name="Menu")).to_be_hidden()
    brand = wide.page.get_by_role("link", name="Confide").bounding_box()
    sign_out = header.get_by_role("button", name="Sign out").bounding_box()
    events = header.get_by_role("link", name="Events").bounding_box()
    row = header.bounding_box()["height"]
    assert row < 70, row
    for box in (sign_out, events):
        assert abs(box["y"] + box["height"] / 2 - (brand["y"] + brand["height"] / 2)) < 12

    phone = browser(viewport={"width": 390, "height": 844}).sign_in(user)
    page = phone.page
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    axe(page)
    # Keyboard only: Tab to the button, open with Enter, Escape closes and returns focus.
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    axe(page)
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")
    ).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/events/")
    assert phone.console_errors == [] and wide.console_errors == []
