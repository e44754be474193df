"""Mentoring set-up through the real services."""

import pytest

from mentoring import services
from tests.factories import (
    OrganisationFactory,
    add_member,
    enrol_totp,
    make_network,
    make_user,
)


class People:
    """A network with a steward, mentees and mentors, built as members would build it."""

    def __init__(self):
        self.steward = make_user(display_name="Grace Steward")
        self.network = make_network(steward=self.steward, slug="mentoring-net")
        enrol_totp(self.steward)  # stewards must use two-factor authentication

    def member(self, name=None, organisation=None, **kwargs):
        return add_member(
            self.network, make_user(display_name=name, organisation=organisation, **kwargs)
        )

    def mentor(self, name=None, capacity=2, organisation=None, approve=True, **fields):
        user = self.member(name, organisation=organisation)
        values = {
            "expertise": ["use_of_data", "hr_processes"],
            "roles_held": ["ned"],
            "organisation_kinds": ["acute"],
            "region": "london",
            "formats": [],
            "capacity": capacity,
        }
        values.update(fields)
        profile = services.save_mentor_profile(actor=user, **values)
        if approve:
            profile = services.approve_mentor(actor=self.steward, profile=profile)
        return profile

    def request(self, mentee, focus_areas=("use_of_data",), goals="Use our WRES data.", **kw):
        return services.create_request(
            actor=mentee, goals=goals, focus_areas=list(focus_areas), **kw
        )

    def relationship(self, mentee=None, mentor=None):
        mentee = mentee or self.member()
        mentor = mentor or self.mentor()
        request = self.request(mentee)
        proposal = services.propose_mentor(actor=mentee, request=request, mentor=mentor)
        return services.accept_proposal(actor=mentor.user, proposal=proposal)


@pytest.fixture
def people(db):
    return People()


@pytest.fixture
def other_org():
    return OrganisationFactory(name="Elsewhere Trust", kind="combined", region="north_west")
