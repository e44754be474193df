"""The access-control table: every route of the site, each method it accepts, and the answer
each role gets.

`tests/test_access.py` walks the URL resolver and fails when a route has no row here, then
requests every row as every role, with a CSRF-valid form for POST rows. Answers: a status code,
LOGIN (a redirect to sign-in), REDIRECT (a redirect elsewhere, for example a signed-in person sent
away from the sign-in page) or GATED (sent to the network's safe-space agreement, or 404: nothing
of the network's content). Every request changes the database for the roles in `changes` and
for no one else; a method a route has no row for must change nothing for anyone.

The `agreement_pending` role is a member of the world's network who has not accepted its current
agreement: "may this person see this network's content now" is one answer for every channel.
"""

from dataclasses import dataclass, field

import pytest

LOGIN = "login"
REDIRECT = "redirect"
GATED = "gated"
ROLES = ("anonymous", "outsider", "member", "agreement_pending", "moderator", "steward")
SIGNED_IN = ROLES[1:]


def every(answer, anonymous=None):
    """The same answer for every signed-in role (and for anonymous unless given)."""
    answers = dict.fromkeys(ROLES, answer)
    if anonymous is not None:
        answers["anonymous"] = anonymous
    return answers


def signed_in(answer=200):
    return every(answer, anonymous=LOGIN)


def inside_network(member=200, moderator=None, steward=None, outsider=404, agreement_pending=GATED):
    """A page inside a network: non-members get 404, never 403 and never a title; a member who
    has not accepted the current agreement is sent to it."""
    return {
        "anonymous": LOGIN,
        "outsider": outsider,
        "member": member,
        "agreement_pending": agreement_pending,
        "moderator": member if moderator is None else moderator,
        "steward": member if steward is None else steward,
    }


@dataclass(frozen=True)
class Route:
    name: str
    expect: dict
    kwargs: object = None  # a function of the world giving the URL's arguments
    method: str = "get"
    note: str = ""
    extra: dict = field(default_factory=dict)
    data: object = None  # a function of the world giving the POST form (the CSRF token is added)
    changes: tuple = ()  # the roles whose request changes the database
    gaps: dict = field(default_factory=dict)  # role -> reason: a known failure (strict xfail)

    def marks(self, role):
        if role in self.gaps:
            return [pytest.mark.xfail(strict=True, reason=self.gaps[role])]
        return []


# Routes served by other packages: checked as a group, not row by row.
PREFIX_RULES = {
    # Django's admin: staff only, and its sign-in goes through allauth (secure_admin_login).
    "admin/": every(REDIRECT),
}

PUBLIC_ALLAUTH = {
    # Reachable without signing in; a signed-in person is sent on to the site.
    "account_login": every(REDIRECT, anonymous=200),
    "account_reset_password": every(200),
    "account_reset_password_done": every(200),
    "account_reset_password_from_key_done": every(200),
    "account_signup": every(REDIRECT, anonymous=200),
    "account_inactive": every(200),
    "account_email_verification_sent": every(200),
}

FOUNDATION_ROUTES = [
    # Foundation ----------------------------------------------------------------------------
    Route("healthz", every(200)),
    Route("community:privacy", every(200)),
    Route("community:accessibility", every(200)),
    Route("community:dashboard", signed_in()),
    # Accounts (allauth) ----------------------------------------------------------------------
    *[Route(name, expect) for name, expect in PUBLIC_ALLAUTH.items()],
    Route(
        "account_logout",
        every(200, anonymous=REDIRECT),
        note="GET asks the signed in to confirm; anonymous are sent home",
    ),
    Route("account_reauthenticate", signed_in()),
    Route(
        "account_request_reauthentication_code",
        every(403, anonymous=LOGIN),
        note="re-authentication by code is off: allauth refuses",
    ),
    Route(
        "account_confirm_reauthentication_code",
        every(403, anonymous=LOGIN),
        note="re-authentication by code is off: allauth refuses",
    ),
    Route("account_email", signed_in()),
    Route("account_change_password", signed_in()),
    Route(
        "account_set_password",
        every(REDIRECT, anonymous=LOGIN),
        note="everyone here has a password, so allauth sends them to change it",
    ),
    Route(
        "account_confirm_login_code",
        every(REDIRECT),
        note="login by code is off: allauth sends everyone away",
    ),
    Route("account_confirm_email", every(200), kwargs=lambda w: {"key": "not-a-real-key"}),
    Route(
        "account_reset_password_from_key",
        every(200),
        kwargs=lambda w: {"uidb36": "1", "key": "not-a-real-key"},
    ),
    Route("mfa_index", signed_in()),
    Route(
        "mfa_authenticate",
        every(REDIRECT, anonymous=REDIRECT),
        note="only during a sign-in that needs the second factor",
    ),
    Route(
        "mfa_reauthenticate",
        {**every(REDIRECT, anonymous=LOGIN), "moderator": 200, "steward": 200},
        note="without an authenticator there is nothing to re-enter; moderators and stewards "
        "have TOTP (they must: community.middleware)",
    ),
    Route(
        "mfa_activate_totp",
        every(REDIRECT, anonymous=LOGIN),
        note="asks for the password again first (re-authentication)",
    ),
    Route(
        "mfa_deactivate_totp",
        {**every(404, anonymous=LOGIN), "moderator": REDIRECT, "steward": REDIRECT},
        note="with TOTP, allauth asks for the password again first",
    ),
    Route("mfa_view_recovery_codes", every(404, anonymous=LOGIN)),
    Route(
        "mfa_generate_recovery_codes",
        every(REDIRECT, anonymous=LOGIN),
        note="needs an authenticator first",
    ),
    Route("mfa_download_recovery_codes", every(404, anonymous=LOGIN)),
    Route("usersessions_list", signed_in()),
]


def all_routes():
    from tests.assurance.access import ROUTES as assurance
    from tests.community.access import ROUTES as community
    from tests.events.access import ROUTES as events
    from tests.forums.access import ROUTES as forums
    from tests.live.access import ROUTES as live
    from tests.mentoring.access import ROUTES as mentoring

    return [*FOUNDATION_ROUTES, *community, *forums, *mentoring, *events, *live, *assurance]


def build_world(world):
    from tests.assurance.access import build as assurance
    from tests.community.access import build as community
    from tests.events.access import build as events
    from tests.forums.access import build as forums
    from tests.live.access import build as live
    from tests.mentoring.access import build as mentoring

    for build in (community, forums, mentoring, events, live, assurance):
        build(world)
