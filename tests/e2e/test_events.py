"""Events in Chromium on a live daphne: register, waitlist, cancel, promotion, attendance."""

import pytest
from playwright.sync_api import expect

from tests.conftest import off_loop
from tests.events.conftest import EventWorld
from tests.factories import enrol_totp

pytestmark = pytest.mark.browser


def visit(session, path):
    response = session.page.goto(path)
    assert response.status == 200, path
    return response


def test_waitlisted_member_gets_the_seat_when_the_first_cancels_and_facilitator_marks_attendance(
    browser_session, axe
):
    world = off_loop(lambda: EventWorld(capacity=1))
    first_user = off_loop(lambda: world.member(name="Amara Okoye"))
    second_user = off_loop(lambda: world.member(name="Ben Hughes"))
    event_path = f"/events/{world.event.pk}/"

    first = browser_session().sign_in(first_user)
    visit(first, "/events/")
    axe(first.page)
    first.page.get_by_role("link", name=world.event.title).click()
    first.page.get_by_role("button", name="Register").click()
    expect(first.page.get_by_text("You have a seat.").first).to_be_visible()
    axe(first.page)

    second = browser_session().sign_in(second_user)
    visit(second, event_path)
    expect(second.page.get_by_text("Full").first).to_be_visible()
    second.page.get_by_role("button", name="Join the waiting list").click()
    expect(second.page.get_by_text("You are number 1 on the waiting list")).to_be_visible()
    axe(second.page)

    first.page.get_by_role("button", name="Cancel my registration").click()
    expect(first.page.get_by_text("Your registration is cancelled")).to_be_visible()

    # The waiting member's open page shows the seat without a reload (a notice arrived).
    expect(second.page.get_by_text("You have a seat.")).to_be_visible(timeout=15000)
    visit(second, event_path)
    expect(second.page.get_by_text("You have a seat.")).to_be_visible()
    visit(second, "/events/mine/")
    expect(second.page.get_by_text("Confirmed")).to_be_visible()
    axe(second.page)

    enrol_totp(world.facilitator)
    facilitator = browser_session().sign_in(world.facilitator)
    visit(facilitator, f"/events/{world.event.pk}/manage/")
    axe(facilitator.page)
    facilitator.page.get_by_label("Ben Hughes").check()
    facilitator.page.get_by_role("button", name="Save attendance").click()
    expect(facilitator.page.get_by_text("Attendance saved.")).to_be_visible()
    expect(facilitator.page.get_by_label("Ben Hughes")).to_be_checked()
    axe(facilitator.page)

    from events.models import Registration

    assert Registration.objects.get(event=world.event, user=second_user).attended
    enrol_totp(world.steward)
    steward = browser_session().sign_in(world.steward)
    steward.page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/events/new/", event_path):
        visit(steward, path)
        axe(steward.page)
        assert steward.page.evaluate("document.documentElement.scrollWidth") <= 320

    for session in (first, second, facilitator, steward):
        assert session.console_errors == []
