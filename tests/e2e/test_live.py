"""The live session in Chromium: a facilitator and two participants, in three browsers."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from tests.factories import enrol_totp
from tests.live.conftest import LiveWorld

pytestmark = pytest.mark.browser


def off_the_loop(function, *args):
    """Run set-up in another thread: Playwright's loop runs in this one, and services that
    broadcast after commit call async_to_sync, which refuses to run inside a running loop."""
    from django.db import connection

    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def make_world():
    lw = LiveWorld()
    enrol_totp(lw.facilitator)
    return lw


def open_room(session, event):
    response = session.page.goto(f"/events/{event.pk}/live/")
    assert response.status == 200
    expect(session.page.locator("[data-live-state]")).to_have_text("Connected")
    return session.page


def test_a_facilitated_session_from_start_to_breakout_rooms_and_back(browser_session, axe):
    lw = off_the_loop(make_world)
    fac = open_room(browser_session().sign_in(lw.facilitator), lw.event)
    alice = open_room(browser_session().sign_in(lw.alice), lw.event)
    bola = open_room(browser_session().sign_in(lw.bola), lw.event)
    pages = (fac, alice, bola)
    for page in pages:
        axe(page)
    assert alice.get_by_role("heading", name="Run the session").count() == 0

    # Open the session.
    fac.get_by_role("button", name="Start the session").click()
    for page in pages:
        expect(page.locator("[data-session-state]")).to_have_text("Live")
    expect(alice.locator("[data-presence] li")).to_have_count(3)

    # Chat: Enter sends; the others see it and hear it announced.
    alice.get_by_label("Your message").fill("We publish our *WRES* data each quarter")
    alice.get_by_label("Your message").press("Enter")
    expect(bola.locator("[data-chat] li").last).to_contain_text("Alice Adeyemi")
    expect(bola.locator("[data-chat] em")).to_have_text("WRES")
    expect(bola.locator("[data-announce]")).to_contain_text("Alice Adeyemi says:")
    for page in pages:
        axe(page)

    # A hand, raised and called on.
    bola.get_by_role("button", name="Raise my hand").click()
    expect(bola.get_by_role("button", name="Lower my hand")).to_have_attribute(
        "aria-pressed", "true"
    )
    fac.get_by_role("button", name="Call on Bola Brown").click()
    expect(bola.locator("[data-called]")).to_have_text("You have been called on. Please go ahead.")
    expect(bola.locator("[data-announce-urgent]")).to_have_text(
        "You have been called on. Please go ahead."
    )
    for page in pages:
        axe(page)

    # An anonymous question, upvoted by someone else.
    alice.get_by_label("Your question").fill("How do we keep this going after the session?")
    alice.get_by_label("Ask anonymously").check()
    alice.get_by_role("button", name="Ask").click()
    question = bola.locator("[data-questions] li").first
    expect(question).to_contain_text("Anonymous · 0 votes")
    expect(question).not_to_contain_text("Alice")
    question.get_by_role("button", name="Upvote").click()
    expect(fac.locator("[data-questions] li").first).to_contain_text("1 vote")
    for page in pages:
        axe(page)

    # A poll with live tallies.
    fac.get_by_text("Create a poll").click()
    fac.get_by_label("Poll question").fill("Which action first?")
    fac.get_by_label("Options, one on each line").fill("Data\nCulture")
    fac.get_by_role("button", name="Create poll").click()
    fac.get_by_role("button", name="Open poll").click()
    alice.get_by_role("radio", name="Culture").check()
    alice.get_by_role("button", name="Vote", exact=True).click()
    expect(fac.locator("[data-polls]")).to_contain_text("1 person has voted.")
    expect(bola.locator("[data-polls]")).to_contain_text("1 person has voted.")
    for page in pages:
        axe(page)

    # Two breakout rooms, and everyone back.
    fac.get_by_label("Number of rooms").fill("2")
    fac.get_by_role("button", name="Create rooms").click()
    expect(fac.locator("[data-rooms-visit] option")).to_have_count(3)
    fac.get_by_role("button", name="Assign people at random").click()
    expect(fac.locator("[data-presence]")).to_contain_text("Room")
    fac.get_by_role("button", name="Open rooms").click()
    for page in (alice, bola):
        expect(page.locator("[data-room-banner]")).to_have_text(re.compile(r"You are in Room \d"))
    assert (
        alice.locator("[data-room-banner]").text_content()
        != bola.locator("[data-room-banner]").text_content()
    )
    alice.get_by_label("Your message").fill("Just our room")
    alice.get_by_label("Your message").press("Enter")
    expect(alice.locator("[data-chat] li").last).to_contain_text("Just our room")
    for page in pages:
        axe(page)
    fac.get_by_role("button", name="Bring everyone back").click()
    for page in (alice, bola):
        expect(page.locator("[data-room-banner]")).to_be_hidden()
        expect(page.locator("[data-chat]")).to_contain_text("We publish our")
    expect(bola.locator("[data-chat]")).not_to_contain_text("Just our room")
    for page in pages:
        axe(page)


def test_the_room_works_at_320_pixels(browser_session, axe):
    lw = off_the_loop(make_world)
    alice_session = browser_session().sign_in(lw.alice)
    alice_session.page.set_viewport_size({"width": 320, "height": 640})
    page = open_room(alice_session, lw.event)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
    axe(page)
    assert alice_session.console_errors == []


def start_session(lw):
    from events.live import services

    services.change_state(actor=lw.facilitator, event=lw.event, state="live")


def test_a_refused_chat_message_stays_in_the_box_to_send_again(browser_session):
    lw = off_the_loop(make_world)
    off_the_loop(start_session, lw)
    alice = open_room(browser_session().sign_in(lw.alice), lw.event)
    box = alice.get_by_label("Your message")
    for n in range(1, 6):
        box.fill(f"Point {n}")
        box.press("Enter")
        expect(alice.locator("[data-chat] li")).to_have_count(n)
    # The sixth within ten seconds is over the rate limit: told why, and nothing typed is lost.
    box.fill("One more thought on our WRES data")
    box.press("Enter")
    expect(alice.locator("[data-error]")).to_contain_text("messages every 10 seconds")
    expect(box).to_have_value("One more thought on our WRES data")
    expect(alice.locator("[data-chat] li")).to_have_count(5)


def test_a_message_whose_bell_was_lost_still_arrives(browser_session, monkeypatch):
    from community import live
    from events.live import services

    lw = off_the_loop(make_world)
    off_the_loop(start_session, lw)
    alice = open_room(browser_session().sign_in(lw.alice), lw.event)
    # The channel layer drops messages when a channel is full; here no bell rings at all.
    monkeypatch.setattr(live, "send_after_commit", lambda group, message: None)
    off_the_loop(
        lambda: services.send_chat(actor=lw.bola, event=lw.event, text="Heard without a bell")
    )
    # The page asks what it missed every 20 seconds, so the record reaches it anyway.
    expect(alice.locator("[data-chat]")).to_contain_text("Heard without a bell", timeout=30_000)


def starting_soon():
    from datetime import timedelta

    from django.utils import timezone

    lw = make_world()
    lw.event.starts_at = timezone.now() + timedelta(minutes=10)
    lw.event.save(update_fields=["starts_at"])
    return lw


def test_people_reach_the_live_session_from_the_event_page_by_links_alone(browser_session, axe):
    lw = off_the_loop(starting_soon)
    alice = browser_session().sign_in(lw.alice).page
    alice.goto("/events/")
    alice.get_by_role("link", name=lw.event.title).first.click()
    expect(alice.get_by_role("heading", level=1)).to_have_text(lw.event.title)
    axe(alice)
    alice.get_by_role("link", name="Join the live session").click()
    expect(alice.locator("[data-live-state]")).to_have_text("Connected")
    expect(alice.get_by_role("heading", level=1)).to_have_text(f"{lw.event.title}: live session")

    fac = browser_session().sign_in(lw.facilitator).page
    fac.goto(f"/events/{lw.event.pk}/")
    fac.get_by_role("link", name="Facilitator page").click()
    fac.get_by_role("link", name="Run the live session").click()
    expect(fac.locator("[data-live-state]")).to_have_text("Connected")
    expect(fac.get_by_role("heading", name="Run the session")).to_be_visible()


def test_refused_text_stays_muted_boxes_say_why_and_an_ended_session_shows_its_summary(
    browser_session, axe
):
    lw = off_the_loop(make_world)
    fac = open_room(browser_session().sign_in(lw.facilitator), lw.event)
    alice = open_room(browser_session().sign_in(lw.alice), lw.event)
    box = alice.get_by_label("Your message")

    # Refused (the session has not started): the text stays and the reason is shown.
    box.fill("Shall we begin?")
    box.press("Enter")
    expect(alice.locator("[data-error]")).to_contain_text("The session has not started yet")
    expect(box).to_have_value("Shall we begin?")

    fac.get_by_role("button", name="Start the session").click()
    expect(alice.locator("[data-session-state]")).to_have_text("Live")
    box.press("Enter")
    expect(fac.locator("[data-chat] li").last).to_contain_text("Shall we begin?")
    expect(box).to_have_value("")

    # Muted: both boxes disabled, and the reason beside them.
    fac.get_by_role("button", name="Mute Alice Adeyemi").first.click()
    expect(box).to_be_disabled()
    expect(alice.get_by_label("Your question")).to_be_disabled()
    expect(alice.locator("#live-chat-closed")).to_have_text(
        "A facilitator has muted you for this session, so you cannot send messages or ask "
        "questions."
    )
    axe(alice)
    fac.get_by_role("button", name="Unmute Alice Adeyemi").first.click()
    expect(box).to_be_enabled()
    expect(alice.locator("#live-chat-closed")).to_be_hidden()

    # Ended: read-only for everyone, with the reason. (The button asks to confirm, and these
    # sessions dismiss dialogs, so the facilitator's page sends what the button would.)
    fac.evaluate("window.ConfideLiveSession.send({type: 'session.state', state: 'ended'})")
    expect(box).to_be_disabled()
    expect(alice.get_by_role("button", name="Raise my hand")).to_be_disabled()
    expect(alice.locator("#live-chat-closed")).to_contain_text("The session has ended")
    # The facilitators get a summary: counts only.
    expect(fac.get_by_role("heading", name="Summary of the session")).to_be_visible()
    expect(fac.locator("[data-summary-facts] dd")).to_have_text(["2", "1", "0", "0", "0"])
    expect(alice.get_by_role("heading", name="Summary of the session")).to_have_count(0)
    axe(fac)
