"""Every community page in Chromium: loads cleanly, axe clean, usable at 320 px wide."""

import pytest

from community import services
from community.models import Network
from tests.factories import add_member, enrol_totp, make_network, make_user

pytestmark = pytest.mark.browser


def visit(session, path):
    response = session.page.goto(path)
    assert response.status == 200, f"{path}: {response.status}"


def test_member_and_steward_pages_are_accessible_and_fit_320_pixels(browser_session, axe):
    steward = make_user(display_name="Grace Adeyemi")
    enrol_totp(steward)
    network = make_network(steward=steward, slug="pages-closed", name="Chairs' network")
    listed = make_network(
        steward=steward,
        slug="pages-listed",
        name="Learning network",
        listing=Network.Listing.LISTED,
    )
    member = add_member(network, make_user(display_name="Amara Okafor"))
    services.update_profile(
        actor=member,
        bio="I chair a **mental health** trust.",
        ethnicity="British Nigerian",
        ethnicity_visibility="networks",
    )
    asker = make_user(display_name="Dev Raman")
    # Asked through the page (services that notify cannot run in Playwright's thread).
    dev = browser_session().sign_in(asker)
    visit(dev, "/networks/")
    axe(dev.page)
    dev.page.get_by_label("A note for the stewards (optional)").fill("I would like to learn.")
    dev.page.get_by_role("button", name="Ask to join").click()
    dev.page.get_by_text("Your request is waiting for a steward.").wait_for()
    axe(dev.page)

    pages = {
        member: [
            "/",
            "/networks/",
            f"/networks/{network.slug}/",
            f"/networks/{network.slug}/members/",
            f"/networks/{network.slug}/members/{member.pk}/",
            f"/networks/{network.slug}/agreement/",
            "/profile/",
            "/my-data/",
            "/my-data/activity/",
            "/notifications/",
        ],
        steward: [
            "/",
            f"/networks/{network.slug}/",
            f"/networks/{network.slug}/steward/invite/",
            f"/networks/{listed.slug}/steward/requests/",
            f"/networks/{network.slug}/steward/members/",
            f"/networks/{network.slug}/steward/members/{member.pk}/remove/",
            f"/networks/{network.slug}/steward/edit/",
            f"/networks/{network.slug}/steward/audit/",
        ],
        asker: ["/", "/networks/"],
    }
    for person, paths in pages.items():
        session = browser_session().sign_in(person)
        session.page.set_viewport_size({"width": 320, "height": 800})
        for path in paths:
            visit(session, path)
            axe(session.page)
            width = session.page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} is {width} px wide"
        assert session.console_errors == []
