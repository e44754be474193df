"""An existing account answers an invitation in the browser (issue 11, finding 6), axe clean."""

import re

import pytest
from playwright.sync_api import expect

from community import services
from tests.conftest import off_loop
from tests.factories import make_network, make_user

pytestmark = pytest.mark.browser


def invited(slug):
    """A member-to-be with an account, invited through the steward's service."""
    steward = make_user(display_name="Grace Adeyemi")
    network = make_network(steward=steward, name="Chairs' race equality network", slug=slug)
    person = make_user(display_name="Margaret Chair")
    services.invite_many(actor=steward, emails_text=person.email, networks=[network])
    return network, person


def test_an_existing_member_sees_the_invitation_and_accepts_it(browser_session, axe):
    network, person = off_loop(invited, "chairs-c")

    chair = browser_session().sign_in(person)
    chair.page.goto("/")
    chair.page.get_by_role("link", name="Accept or decline the invitation").click()
    expect(chair.page.get_by_role("heading", level=1)).to_have_text("You have been invited")
    expect(chair.page.get_by_text(network.name, exact=False)).to_be_visible()
    axe(chair.page)
    chair.page.get_by_role("button", name="Accept the invitation").click()
    expect(chair.page.get_by_text("Invitation accepted.")).to_be_visible()
    expect(chair.page.get_by_role("link", name=network.name)).to_be_visible()
    axe(chair.page)
    assert chair.console_errors == []


def test_an_existing_member_declines_and_joins_nothing(browser_session):
    network, person = off_loop(invited, "chairs-d")

    chair = browser_session().sign_in(person)
    chair.page.goto("/")
    chair.page.get_by_role("link", name="Accept or decline the invitation").click()
    chair.page.get_by_role("button", name="Decline").click()
    expect(chair.page.get_by_text(re.compile("Invitation declined"))).to_be_visible()
    expect(chair.page.get_by_role("link", name="Accept or decline the invitation")).to_have_count(0)
    expect(chair.page.get_by_role("link", name=network.name)).to_have_count(0)
