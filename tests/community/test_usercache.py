"""The per-user cache (community/usercache.py): cheaper pages, never staler ones.

Each rule is checked through whole requests (the real middleware stack, the real cache alias),
with the cache warm before the change, so a stale answer would be served if a bump were missed.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services
from events import services as event_services
from tests.factories import add_member, enrol_totp, make_network, make_user

pytestmark = pytest.mark.django_db

FLOOR = 5  # issue 15: a signed-in page with nothing on it


def _get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured.captured_queries)


def test_the_floor_is_at_most_five_queries(client):
    person = make_user()
    client.force_login(person)
    client.get("/")  # the first request after a change reads the facts
    response, count = _get(client, "/")
    assert response.status_code == 200
    assert count <= FLOOR, count


def test_a_removed_member_loses_access_on_the_next_request(client):
    steward = make_user()
    network = make_network(steward=steward, slug="leaving")
    member = add_member(network, make_user())
    client.force_login(member)
    url = reverse("community:network", args=[network.slug])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # served from the warm cache
    services.remove_member(actor=steward, network=network, user=member)
    assert client.get(url).status_code == 404


def test_a_member_removed_through_the_group_side_loses_access_too(client):
    network = make_network(slug="group-side")
    member = add_member(network, make_user())
    client.force_login(member)
    url = reverse("community:network", args=[network.slug])
    assert client.get(url).status_code == 200
    network.members_group.user_set.remove(member)
    assert client.get(url).status_code == 404
    network.members_group.user_set.add(member)
    assert client.get(url).status_code == 200
    network.members_group.user_set.clear()
    assert client.get(url).status_code == 404


def test_a_new_notice_shows_on_the_next_page(client):
    person = make_user()
    client.force_login(person)
    assert "Nothing new." in client.get("/").content.decode()
    assert "Nothing new." in client.get("/").content.decode()  # warm: no notice, no query
    services.notify(user=person, kind="join_approved", url="/", email=False)
    page = client.get("/").content.decode()
    assert "Nothing new." not in page
    assert len(re.findall(r'href="/notifications/\d+/"', page)) == 1


def _requires_enrolment(client):
    response = client.get("/")
    return response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", ["moderator", "steward"])
def test_two_factor_is_required_on_the_next_request_after_a_role_is_granted(client, role):
    steward = make_user()
    network = make_network(steward=steward, slug=f"grant-{role}")
    member = add_member(network, make_user())
    client.force_login(member)
    assert not _requires_enrolment(client)
    assert not _requires_enrolment(client)  # warm
    if role == "moderator":
        services.set_moderator(actor=steward, network=network, user=member, moderator=True)
    else:
        services.set_steward(actor=steward, network=network, user=member, steward=True)
    assert _requires_enrolment(client)
    enrol_totp(member)
    assert not _requires_enrolment(client)


def test_two_factor_is_required_on_the_next_request_after_facilitating(client):
    """A grant in another app's table (events' facilitators) bumps as well."""
    from guardian.shortcuts import assign_perm

    from events.policies import FACILITATE_PERM

    steward = make_user()
    network = make_network(steward=steward, slug="facilitating")
    member = add_member(network, make_user())
    client.force_login(member)
    assert not _requires_enrolment(client)
    event = event_services.create_event(**_event_fields(steward, network))
    assert not _requires_enrolment(client)
    assign_perm(FACILITATE_PERM, member, event)
    assert _requires_enrolment(client)


def _event_fields(steward, network):
    from datetime import timedelta

    from django.utils import timezone

    starts = timezone.now() + timedelta(days=3)
    return {
        "actor": steward,
        "networks": [network],
        "title": "Board session",
        "description": "",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=1),
        "capacity": 10,
    }


def test_two_factor_is_required_when_the_network_starts_asking_for_it(client):
    steward = make_user()
    network = make_network(steward=steward, slug="asks-later")
    member = add_member(network, make_user())
    client.force_login(member)
    assert not _requires_enrolment(client)
    assert not _requires_enrolment(client)
    services.update_network(
        actor=steward,
        network=network,
        name=network.name,
        description=network.description,
        listing=network.listing,
        requires_two_factor=True,
    )
    assert _requires_enrolment(client)


def test_a_warm_page_asks_no_membership_stewardship_or_two_factor_query(client):
    steward = make_user()
    network = make_network(steward=steward, slug="warm")
    enrol_totp(steward)
    client.force_login(steward)
    url = reverse("community:network", args=[network.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    # The gate's own query joins the authenticator table inline; no query asks it alone.
    assert not [q for q in sql if q.startswith('SELECT EXISTS(SELECT 1 AS "a" FROM "mfa_')], sql
    assert not [q for q in sql if q.startswith('SELECT "auth_group"."id"')], sql
    # Stewardship: neither guardian's checker nor the managed-networks query.
    assert not [q for q in sql if q.startswith('SELECT "auth_permission"."codename"')], sql
    assert not [q for q in sql if q.startswith('SELECT DISTINCT "community_network"."id"')], sql


# Query counts flat in the number of rows, through the whole stack -------------------------


def _flat(client, url, grow, django_assert_max_num_queries):
    grow(3)
    client.get(url)
    _, few = _get(client, url)
    grow(27)
    client.get(url)  # the growth replaced the cached facts' version: one request reads them
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
    return few


def test_the_dashboard_is_flat_in_networks_and_notices(client, django_assert_max_num_queries):
    person = make_user()
    client.force_login(person)
    made = []

    def grow(count):
        for _ in range(count):
            network = make_network(slug=f"n{len(made)}")
            add_member(network, person)
            services.notify(user=person, kind="join_approved", url="/", target=network)
            made.append(network)

    _flat(client, "/", grow, django_assert_max_num_queries)
    page = client.get("/").content.decode()
    assert page.count('href="/networks/n') >= 30
