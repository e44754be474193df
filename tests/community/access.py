"""Access-table rows for this app's routes (see tests/access_table.py) and their objects.

`build(world)` adds this app's objects to the shared world (one person in each role around
an unlisted network `world.network` and a listed one `world.listed`).
"""

from tests.access_table import LOGIN, REDIRECT, Route, every, inside_network, signed_in  # noqa: F401


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
        "moderator": 404,
        "steward": steward,
    }


def network(w):
    return {"slug": w.network.slug}


ROUTES = [
    Route("community:network", inside_network(), kwargs=network),
    Route("community:agreement", inside_network(), kwargs=network),
    Route("community:notifications", signed_in()),
    Route(
        "community:notification_open",
        {"anonymous": LOGIN, "outsider": 404, "member": REDIRECT, "moderator": 404, "steward": 404},
        kwargs=lambda w: {"pk": w.notification.pk},
        note="a notice is its recipient's alone",
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
        inside_network(),
        kwargs=network,
        note="an unlisted network cannot be asked to join: 404 for outsiders",
    ),
    Route("community:members", inside_network(), kwargs=network),
    Route(
        "community:member_profile",
        inside_network(),
        kwargs=lambda w: {"slug": w.network.slug, "user_id": w.member.pk},
    ),
    Route("community:steward_invite", stewards_only(), kwargs=network),
    Route("community:steward_requests", stewards_only(), kwargs=network),
    Route("community:steward_members", stewards_only(), kwargs=network),
    Route(
        "community:steward_remove",
        stewards_only(),
        kwargs=lambda w: {"slug": w.network.slug, "user_id": w.member.pk},
        note="GET asks to confirm",
    ),
    Route("community:steward_edit", stewards_only(), kwargs=network),
    Route("community:steward_audit", stewards_only(), kwargs=network),
    Route("community:profile", signed_in()),
    Route("community:my_data", signed_in()),
    Route("community:my_activity", signed_in()),
    Route(
        "community:my_data_export",
        every(REDIRECT, anonymous=LOGIN),
        note="asks for the password again first",
    ),
    Route(
        "community:my_data_erase",
        every(REDIRECT, anonymous=LOGIN),
        note="asks for the password again first",
    ),
    Route("community:erased", every(200)),
]
