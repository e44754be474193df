"""Who may do what: role x action x network visibility, as one table."""

import pytest
from django.http import Http404

from community import policies
from community.models import Network
from tests.factories import add_member, make_network, make_user

pytestmark = pytest.mark.django_db

ROLES = ("outsider", "member", "moderator", "steward")
LISTINGS = (Network.Listing.UNLISTED, Network.Listing.LISTED)


def allowed(get, user, slug):
    try:
        get(user, slug)
    except Http404:
        return False
    return True


ACTIONS = {
    "enter": lambda user, network: allowed(policies.get_network_for_member, user, network.slug),
    "ask_to_join": lambda user, network: allowed(
        policies.get_network_for_joining, user, network.slug
    ),
    "manage": lambda user, network: allowed(policies.get_network_for_steward, user, network.slug),
    "find_in_list": lambda user, network: (
        policies.discoverable_networks(user).filter(pk=network.pk).exists()
        or policies.visible_networks(user).filter(pk=network.pk).exists()
    ),
    "see_member_profile": lambda user, network: _can_see_member(user, network),
    "must_use_two_factor": lambda user, network: policies.requires_two_factor(user),
}


def _can_see_member(user, network):
    try:
        entered = policies.get_network_for_member(user, network.slug)
        policies.get_member_of_network(user, entered, network.other_member.pk)
    except Http404:
        return False
    return True


# (action, listing) -> the roles allowed. Anything not listed is refused.
TABLE = {
    ("enter", "unlisted"): {"member", "moderator", "steward"},
    ("enter", "listed"): {"member", "moderator", "steward"},
    ("ask_to_join", "unlisted"): {"member", "moderator", "steward"},
    ("ask_to_join", "listed"): {"outsider", "member", "moderator", "steward"},
    ("manage", "unlisted"): {"steward"},
    ("manage", "listed"): {"steward"},
    ("find_in_list", "unlisted"): {"member", "moderator", "steward"},
    ("find_in_list", "listed"): {"outsider", "member", "moderator", "steward"},
    ("see_member_profile", "unlisted"): {"member", "moderator", "steward"},
    ("see_member_profile", "listed"): {"member", "moderator", "steward"},
    ("must_use_two_factor", "unlisted"): {"moderator", "steward"},
    ("must_use_two_factor", "listed"): {"moderator", "steward"},
}


@pytest.fixture
def people():
    return {role: make_user() for role in ROLES}


@pytest.mark.parametrize("listing", LISTINGS)
@pytest.mark.parametrize("action", ACTIONS)
def test_policy_table(action, listing, people):
    network = make_network(steward=people["steward"], slug=f"n-{action}-{listing}", listing=listing)
    add_member(network, people["member"])
    add_member(network, people["moderator"], role="moderator")
    network.other_member = add_member(network, make_user())
    for role in ROLES:
        user = type(people[role]).objects.get(pk=people[role].pk)  # fresh caches
        expected = role in TABLE[(action, listing)]
        assert ACTIONS[action](user, network) is expected, f"{action} {listing} as {role}"


def test_a_stray_global_grant_opens_no_network(people):
    from django.contrib.auth.models import Permission

    network = make_network(slug="global-grant")
    outsider = people["outsider"]
    outsider.user_permissions.add(
        Permission.objects.get(codename="manage_network"),
        Permission.objects.get(codename="view_network"),
    )
    outsider = type(outsider).objects.get(pk=outsider.pk)
    assert not ACTIONS["enter"](outsider, network)
    assert not ACTIONS["manage"](outsider, network)
    assert not policies.visible_networks(outsider).exists()


def test_a_superuser_is_not_a_member_of_every_network(people):
    network = make_network(slug="superuser")
    boss = make_user(is_superuser=True, is_staff=True)
    assert not ACTIONS["enter"](boss, network)
    assert not ACTIONS["manage"](boss, network)


def test_a_missing_network_and_a_forbidden_one_look_the_same(people):
    make_network(slug="hidden")
    outsider = people["outsider"]
    for slug in ("hidden", "does-not-exist"):
        with pytest.raises(Http404) as raised:
            policies.get_network_for_member(outsider, slug)
        assert str(raised.value) == "No such network."


@pytest.mark.parametrize(
    ("visibility", "viewer", "expected"),
    [
        ("only_me", "self", True),
        ("only_me", "fellow", False),
        ("only_me", "steward", False),
        ("stewards", "fellow", False),
        ("stewards", "steward", True),
        ("stewards", "stranger", False),
        ("networks", "fellow", True),
        ("networks", "steward", False),
        ("networks", "stranger", False),
    ],
)
def test_profile_details_are_shown_only_where_the_member_chose(visibility, viewer, expected):
    from community import services

    steward = make_user()
    network = make_network(steward=steward, slug="profiles")
    person = add_member(network, make_user())
    fellow = add_member(network, make_user())
    stranger = make_user()
    profile = services.update_profile(
        actor=person, ethnicity="British Nigerian", ethnicity_visibility=visibility
    )
    viewers = {"self": person, "fellow": fellow, "steward": steward, "stranger": stranger}
    assert policies.visible_profile_fields(viewers[viewer], profile)["show_ethnicity"] is expected
