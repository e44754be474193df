"""An invited chair's first day, in Chromium on a live daphne, axe clean on every page.

The steward invites through the page; the daphne process writes the e-mail to a directory
(filebased backend) and the test follows the link from it, as the chair would.
"""

import quopri
import re
from pathlib import Path

import pytest
from django.utils.html import escape

from tests.factories import enrol_totp, make_network, make_user, totp_code

pytestmark = pytest.mark.browser

CHAIR_EMAIL = "margaret.chair@northfield.nhs.example"
CHAIR_PASSWORD = "a long and private chair password 2026"


def read_invitation_link(mail_dir: Path):
    raw = "\n".join(path.read_text() for path in sorted(mail_dir.glob("*")))
    text = quopri.decodestring(raw.encode()).decode()
    return re.search(r"http://127\.0\.0\.1:\d+/invitations/[^/\s]+/", text).group(0)


def goto(session, path, status=200):
    response = session.page.goto(path)
    assert response.status == status, f"{path}: {response.status}"
    return response


def test_an_invited_chair_joins_and_is_removed(browser, mail_server, axe):
    steward = make_user(display_name="Grace Adeyemi")
    network = make_network(
        steward=steward,
        name="Chairs' race equality network",
        slug="chairs-e2e",
        requires_two_factor=True,
        agreement="What is said here stays here.",
    )
    enrol_totp(steward)
    outsider = make_user(display_name="Priya Outsider")

    # The steward invites the chair.
    grace = browser().sign_in(steward)
    goto(grace, f"/networks/{network.slug}/steward/invite/")
    axe(grace.page)
    grace.page.get_by_label("E-mail addresses").fill(CHAIR_EMAIL)
    grace.page.get_by_role("button", name="Send invitations").click()
    grace.page.get_by_text("Invitation sent.").wait_for()
    axe(grace.page)

    # The chair follows the e-mailed link, says who she is and chooses a password
    # (tests/e2e/test_journeys.py walks the whole welcome with buttons only).
    link = read_invitation_link(mail_server.mail_dir)
    chair = browser()
    goto(chair, link)
    assert chair.page.url.endswith("/accounts/signup/")
    axe(chair.page)
    assert chair.page.locator("input[name=email]").input_value() == CHAIR_EMAIL
    chair.page.get_by_label("Your name").fill("Margaret Ellison")
    chair.page.get_by_label("Board role").select_option(label="Chair")
    chair.page.get_by_label("Organisation", exact=True).select_option(
        label="Other (not on the list)"
    )
    chair.page.get_by_label("Organisation, if it is not on the list").fill("Northfield")
    chair.page.locator("input[name=password1]").fill(CHAIR_PASSWORD)
    chair.page.locator("input[name=password2]").fill(CHAIR_PASSWORD)
    chair.page.get_by_role("button", name="Create my account").click()

    # The agreement comes first, then two-factor set-up (the network requires it), without
    # the password a second time, then the network.
    chair.page.wait_for_url(f"**/networks/{network.slug}/agreement/")
    axe(chair.page)
    chair.page.get_by_role("button", name="I accept the agreement").click()
    chair.page.wait_for_url("**/accounts/2fa/totp/activate/")
    axe(chair.page)
    secret = chair.page.locator("#authenticator_secret").input_value()
    chair.page.locator("input[name=code]").fill(totp_code(secret))
    chair.page.get_by_role("button", name=re.compile("Turn on", re.I)).click()
    chair.page.wait_for_url("**/accounts/2fa/recovery-codes/")
    axe(chair.page)
    chair.page.get_by_role("button", name=re.compile("I have saved these codes")).click()
    chair.page.get_by_role("heading", level=1, name=network.name).wait_for()
    axe(chair.page)
    goto(chair, f"/networks/{network.slug}/members/")
    axe(chair.page)

    # Someone outside gets the same 404 as for a network that does not exist.
    priya = browser().sign_in(outsider)
    goto(priya, f"/networks/{network.slug}/", status=404)
    hidden = priya.page.content()
    goto(priya, "/networks/no-such-network/", status=404)
    missing = priya.page.content()
    assert network.name not in hidden and escape(network.name) not in hidden
    assert "No such network." in hidden and "No such network." in missing

    # The steward removes the chair, after confirming.
    goto(grace, f"/networks/{network.slug}/steward/members/")
    axe(grace.page)
    grace.page.get_by_role("link", name=re.compile("Remove")).first.click()
    grace.page.wait_for_url("**/remove/")
    axe(grace.page)
    grace.page.get_by_role("button", name=re.compile("^Remove")).click()
    grace.page.get_by_text("is no longer a member").wait_for()

    # The chair's next page load is a 404.
    response = chair.page.reload()
    assert response.status == 404
    assert chair.console_errors == [] or all("404" in e for e in chair.console_errors)
    assert grace.console_errors == []
