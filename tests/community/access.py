"""Access-table rows for this app's routes (see tests/access_table.py) and their objects.

`build(world)` adds this app's objects to the shared world (one person in each role around
an unlisted network `world.network` and a listed one `world.listed`).
"""

from tests.access_table import (  # noqa: F401
    GATED,
    LOGIN,
    REDIRECT,
    SIGNED_IN,
    Route,
    every,
    inside_network,
    signed_in,
)


def build(world):
    from community import services
    from tests.factories import enrol_totp

    world.notification = services.notify(user=world.member, kind="added_to_network", url="/")
    # Stewards and moderators must use two-factor authentication, or every page sends them
    # to enrol (community.middleware.TwoFactorEnrolmentMiddleware).
    world.steward_totp = enrol_totp(world.steward)
    world.moderator_totp = enrol_totp(world.moderator)


def stewards_only(steward=200):
    """A steward's page: everyone else gets 404, as for a network that does not exist."""
    return {
        "anonymous": LOGIN,
        "outsider": 404,
        "member": 404,
        "agreement_pending": 404,
        "moderator": 404,
        "steward": steward,
    }


def steward_post(data=None, changes=True):
    """A steward's form, posted: the steward's changes the network; everyone else's nothing."""
    return {
        "expect": stewards_only(REDIRECT),
        "method": "post",
        "data": data or (lambda w: {}),
        "changes": ("steward",) if changes else (),
    }


def network(w):
    return {"slug": w.network.slug}


def new_join_request(w):
    """A request to join the listed network, made when the row is requested (not in the world,
    whose other tests count requests)."""
    from community import services
    from tests.factories import make_user

    return services.request_to_join(actor=make_user(), network=w.listed)


def listed(w):
    return {"slug": w.listed.slug}


PROFILE = {
    "display_name": "A new name",
    "ethnicity_visibility": "only_me",
    "lived_experience_visibility": "only_me",
}

ROUTES = [
    Route("community:network", inside_network(), kwargs=network),
    Route(
        "community:agreement",
        inside_network(agreement_pending=200),
        kwargs=network,
        note="the page a member who has not accepted is sent to",
    ),
    Route(
        "community:agreement",
        inside_network(member=REDIRECT, agreement_pending=REDIRECT, steward=200),
        kwargs=network,
        method="post",
        data=lambda w: {},
        changes=("member", "agreement_pending", "moderator"),
        note="accepting (again, for those who have: audited); the steward is no member",
    ),
    Route("community:notifications", signed_in()),
    Route(
        "community:notifications",
        every(REDIRECT, anonymous=LOGIN),
        method="post",
        data=lambda w: {},
        changes=("member", "moderator", "steward"),
        note="marks every notice read; the outsider and the pending member have none",
    ),
    Route(
        "community:notification_open",
        {**every(404, anonymous=LOGIN), "member": REDIRECT},
        kwargs=lambda w: {"pk": w.notification.pk},
        changes=("member",),
        note="a notice is its recipient's alone; opening it marks it read",
    ),
    Route(
        "community:notification_open",
        {**every(404, anonymous=LOGIN), "member": REDIRECT},
        kwargs=lambda w: {"pk": w.notification.pk},
        method="post",
        data=lambda w: {},
        changes=("member",),
        note="the view takes no form: a POST opens the notice as a GET does",
    ),
    Route(
        "community:invitation",
        every(200),
        kwargs=lambda w: {"token": "not-a-real-token"},
        note="an unknown token gets a page saying what to do",
    ),
    Route(
        "community:welcome",
        every(REDIRECT, anonymous=LOGIN),
        note="only sends the newcomer to the next step (agreement, two-factor, network)",
    ),
    Route("community:welcome_two_factor", signed_in()),
    Route("community:networks", signed_in()),
    Route(
        "community:network_join",
        inside_network(member=REDIRECT, agreement_pending=REDIRECT),
        kwargs=network,
        note="an unlisted network cannot be asked to join: 404 for outsiders; members and "
        "its stewards are sent to its page, never offered 'Ask to join'",
    ),
    Route(
        "community:network_join",
        {**every(REDIRECT, anonymous=LOGIN)},
        kwargs=listed,
        method="post",
        data=lambda w: {"message": "I chair a trust board."},
        changes=tuple(role for role in SIGNED_IN if role != "steward"),
        note="a listed network; the steward runs it, so is sent to its steward pages instead",
    ),
    Route("community:members", inside_network(), kwargs=network),
    Route(
        "community:member_profile",
        inside_network(),
        kwargs=lambda w: {"slug": w.network.slug, "user_id": w.member.pk},
    ),
    Route("community:steward_invite", stewards_only(), kwargs=network),
    Route(
        "community:steward_invite",
        kwargs=network,
        **{
            **steward_post(lambda w: {"emails": "new.chair@example.org"}),
            "expect": stewards_only(200),
        },
        note="the results are shown on the page",
    ),
    Route("community:steward_requests", stewards_only(), kwargs=network),
    Route(
        "community:steward_requests",
        kwargs=listed,
        **steward_post(
            lambda w: {"request_id": new_join_request(w).pk, "decision": "decline", "reply": ""}
        ),
    ),
    Route("community:steward_members", stewards_only(), kwargs=network),
    Route("community:steward_overview", stewards_only(), kwargs=network),
    Route(
        "community:steward_members",
        kwargs=network,
        **steward_post(lambda w: {"user": w.member.pk, "moderator": "1"}),
    ),
    Route(
        "community:steward_remove",
        stewards_only(),
        kwargs=lambda w: {"slug": w.network.slug, "user_id": w.member.pk},
        note="GET asks to confirm",
    ),
    Route(
        "community:steward_remove",
        kwargs=lambda w: {"slug": w.network.slug, "user_id": w.member.pk},
        **steward_post(),
    ),
    Route("community:steward_edit", stewards_only(), kwargs=network),
    Route(
        "community:steward_edit",
        kwargs=network,
        **steward_post(
            lambda w: {"save_agreement": "1", "agreement-text": "A new agreement, kept here."}
        ),
    ),
    Route("community:steward_audit", stewards_only(), kwargs=network),
    Route("community:profile", signed_in()),
    Route(
        "community:profile",
        every(REDIRECT, anonymous=LOGIN),
        method="post",
        data=lambda w: PROFILE,
        changes=SIGNED_IN,
    ),
    Route("community:my_data", signed_in()),
    Route("community:my_activity", signed_in()),
    Route(
        "community:my_data_export",
        every(REDIRECT, anonymous=LOGIN),
        note="asks for the password again first",
    ),
    Route(
        "community:my_data_summary",
        every(REDIRECT, anonymous=LOGIN),
        note="the export as a page; asks for the password again first",
    ),
    Route(
        "community:my_data_erase",
        every(REDIRECT, anonymous=LOGIN),
        note="asks for the password again first",
    ),
    Route(
        "community:my_data_erase",
        every(REDIRECT, anonymous=LOGIN),
        method="post",
        data=lambda w: {"confirmation": "erase"},
        note="asks for the password again first: nothing is erased",
    ),
    Route("community:erased", every(200)),
]
