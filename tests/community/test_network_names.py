"""An unlisted network's name reaches only people who may know of it (issue 11, finding 2).

One policy, `community.policies.networks_visible_in`, filters every list of networks shown to a
person; these tests walk the places that list networks with a member of a listed network who
shares an event with an unlisted one.
"""

import json
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from community import data as community_data
from community import policies, services
from community.models import Network
from events import services as event_services
from tests.factories import add_member, enrol_totp, make_network, make_user

pytestmark = pytest.mark.django_db

SECRET_NAME = "Chairs' confidential circle"
SECRET_SLUG = "chairs-circle"


class SharedEvent:
    """A listed and an unlisted network run by one steward, with an event for both."""

    def __init__(self):
        self.steward = make_user(display_name="Grace Steward")
        self.listed = make_network(
            steward=self.steward,
            name="Board race equality learning network",
            slug="learning",
            listing=Network.Listing.LISTED,
        )
        self.unlisted = make_network(steward=self.steward, name=SECRET_NAME, slug=SECRET_SLUG)
        self.facilitator = add_member(self.listed, make_user(display_name="Femi Facilitator"))
        self.listed_member = add_member(self.listed, make_user(display_name="Lola Listed"))
        self.unlisted_member = add_member(self.unlisted, make_user(display_name="Uma Unlisted"))
        start = timezone.now() + timedelta(days=3)
        self.event = event_services.create_event(
            actor=self.steward,
            networks=[self.listed, self.unlisted],
            title="Using WRES data at board level",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=10,
            facilitators=[self.facilitator],
            publish=True,
        )


def assert_unnamed(text):
    assert SECRET_NAME not in text
    assert SECRET_NAME.replace("'", "&#x27;") not in text
    assert SECRET_SLUG not in text


def test_the_event_page_names_only_the_networks_the_viewer_may_know(client):
    world = SharedEvent()
    client.force_login(world.listed_member)
    page = client.get(reverse("events:detail", args=[world.event.pk])).content.decode()
    assert world.listed.name in page
    assert_unnamed(page)
    client.force_login(world.unlisted_member)
    page = client.get(reverse("events:detail", args=[world.event.pk])).content.decode()
    assert "Chairs&#x27; confidential circle" in page


def test_no_page_a_listed_member_opens_names_the_unlisted_network(client):
    world = SharedEvent()
    event_services.register(actor=world.listed_member, event=world.event)
    client.force_login(world.listed_member)
    for url in [
        reverse("community:dashboard"),
        reverse("community:networks"),
        reverse("community:notifications"),
        reverse("community:my_activity"),
        reverse("events:list"),
        reverse("events:mine"),
        reverse("events:detail", args=[world.event.pk]),
        reverse("events:calendar", args=[world.event.pk]),
        reverse("events:network", args=[world.listed.slug]),
        reverse("community:network", args=[world.listed.slug]),
        reverse("mentoring:home"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_unnamed(response.content.decode())


def test_a_former_members_export_and_dashboard_no_longer_name_the_network(client):
    world = SharedEvent()
    person = world.unlisted_member
    services.remove_member(actor=world.steward, network=world.unlisted, user=person)
    exported = json.dumps(community_data.export_user_data(actor=person), cls=DjangoJSONEncoder)
    assert_unnamed(exported)
    assert '"verb": "membership.remove"' in exported  # the rows stay, unnamed
    client.force_login(person)
    assert_unnamed(client.get(reverse("community:dashboard")).content.decode())


def test_an_answered_request_to_a_network_since_unlisted_is_not_named(client):
    world = SharedEvent()
    outsider = make_user(display_name="Olu Outsider")
    join = services.request_to_join(actor=outsider, network=world.listed)
    services.decide_join_request(actor=world.steward, join_request=join, approve=False)
    enrol_totp(world.steward)
    services.update_network(
        actor=world.steward,
        network=world.listed,
        name=world.listed.name,
        description="",
        listing=Network.Listing.UNLISTED,
        requires_two_factor=False,
    )
    client.force_login(outsider)
    assert world.listed.name not in client.get(reverse("community:dashboard")).content.decode()


def test_networks_visible_in_keeps_listed_own_and_invited_networks():
    world = SharedEvent()
    both = Network.objects.filter(pk__in=[world.listed.pk, world.unlisted.pk])
    names = lambda user: set(policies.networks_visible_in(user, both))  # noqa: E731
    assert names(world.listed_member) == {world.listed}
    assert names(world.unlisted_member) == {world.listed, world.unlisted}
    assert names(world.steward) == {world.listed, world.unlisted}
    invited = make_user(display_name="Ife Invited")
    services.invite(actor=world.steward, email=invited.email, networks=[world.unlisted])
    assert names(invited) == {world.listed, world.unlisted}
