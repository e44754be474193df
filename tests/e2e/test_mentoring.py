"""Mentoring in Chromium: request, explained suggestions, proposal, acceptance, meetings, and
a steward's cohort run; axe on every page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentoring import selectors
from tests.conftest import off_loop
from tests.factories import OrganisationFactory
from tests.mentoring.conftest import People

pytestmark = pytest.mark.browser


def go(session, path, axe):
    response = session.page.goto(path)
    assert response.status == 200, path
    axe(session.page)


def test_mentee_mentor_and_steward_work_through_mentoring(browser_session, axe):
    def setup():
        people = People()  # the steward has TOTP: stewards must enrol before any page
        elsewhere = OrganisationFactory(
            name="Harbourside Trust", kind="combined", region="south_west"
        )
        mentor = people.mentor(
            "Helen Okonkwo", capacity=2, organisation=elsewhere, roles_held=["chair", "ned"]
        )
        return people, mentor, people.member("Aisha Rahman")

    people, mentor, mentee_user = off_loop(setup)

    # The mentee asks and sees suggestions with reasons.
    mentee = browser_session().sign_in(mentee_user)
    go(mentee, "/mentoring/", axe)
    mentee.page.get_by_role("link", name="Ask for a mentor").click()
    axe(mentee.page)
    mentee.page.get_by_label("What would you like help with?").fill(
        "Use our WRES data to change recruitment."
    )
    mentee.page.get_by_label("Most important focus area").select_option("use_of_data")
    mentee.page.get_by_label("Second focus area (optional)").select_option("hr_processes")
    mentee.page.get_by_role("button", name="See suggested mentors").click()
    mentee.page.get_by_role("heading", name="Suggested mentors").wait_for()
    expect(
        mentee.page.get_by_text("Covers all 2 of your focus areas: use of data, HR processes")
    ).to_be_visible()
    axe(mentee.page)
    mentee.page.get_by_role("button", name="Ask Helen Okonkwo").click()
    expect(mentee.page.get_by_text("We have asked Helen Okonkwo")).to_be_visible()

    # The mentor accepts.
    mentor_session = browser_session().sign_in(mentor.user)
    go(mentor_session, "/mentoring/", axe)
    mentor_session.page.get_by_role("link", name="From Aisha Rahman").click()
    axe(mentor_session.page)
    mentor_session.page.get_by_role("button", name="Accept and start mentoring").click()
    mentor_session.page.get_by_role("heading", name="Mentoring Aisha Rahman").wait_for()
    axe(mentor_session.page)

    # Both log a meeting and see each other's.
    today = timezone.localdate().isoformat()
    for session, summary in ((mentor_session, "We looked at the data."), (mentee, "Next: board")):
        if session is mentee:
            go(mentee, "/mentoring/", axe)
            mentee.page.get_by_role("link", name="Mentored by Helen Okonkwo").click()
        session.page.get_by_label("Date").fill(today)
        session.page.get_by_label("Length in minutes").fill("45")
        session.page.get_by_label("Shared summary (both of you can read it)").fill(summary)
        session.page.get_by_role("button", name="Log meeting").click()
        expect(session.page.get_by_text("Meeting logged.")).to_be_visible()
    expect(mentee.page.get_by_text("We looked at the data.")).to_be_visible()
    axe(mentee.page)

    # A steward previews a cohort for another open request and confirms it.
    off_loop(lambda: people.request(people.member("Samuel Osei"), focus_areas=["hr_processes"]))
    steward = browser_session().sign_in(people.steward)
    go(steward, "/mentoring/steward/cohort/", axe)
    steward.page.get_by_label("As many people matched as possible, then the best score").check()
    steward.page.get_by_role("button", name="Preview matching").click()
    steward.page.get_by_role("heading", name="Result: 1 matched, 0 not matched").wait_for()
    axe(steward.page)
    steward.page.get_by_role("button", name="Confirm and send 1 proposal").click()
    expect(steward.page.get_by_text("1 proposals sent.")).to_be_visible()
    go(steward, "/mentoring/steward/figures/", axe)
    expect(steward.page.get_by_role("img", name="Mentoring at a glance")).to_be_visible()

    for session in (mentee, mentor_session, steward):
        assert session.console_errors == []
    figures = off_loop(lambda: selectors.figures(actor=people.steward))
    assert figures["active_relationships"] == 1


def test_mentoring_pages_work_at_320_pixels_wide(browser_session, axe):
    def setup():
        people = People()
        people.mentor("Nkechi Adebayo")
        return people.member()

    member = browser_session().sign_in(off_loop(setup))
    member.page.set_viewport_size({"width": 320, "height": 640})
    for path in (
        "/mentoring/",
        "/mentoring/mentors/",
        "/mentoring/requests/new/",
        "/mentoring/profile/",
    ):
        go(member, path, axe)
        assert member.page.evaluate("document.documentElement.scrollWidth") <= 320, path
