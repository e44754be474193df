from datetime import timedelta

import pytest
from django.utils import timezone

from events import services
from tests.factories import add_member, enrol_totp, make_network, make_user


class EventWorld:
    """A steward's closed network with members, a facilitator and one published event."""

    def __init__(self, capacity=2, **event_kwargs):
        self.steward = make_user(display_name="Grace Steward")
        self.network = make_network(steward=self.steward, slug="chairs-events")
        self.facilitator = add_member(self.network, make_user(display_name="Femi Facilitator"))
        enrol_totp(self.facilitator)  # facilitators must use two-factor (the one gate asks)
        self.outsider = make_user(display_name="Priya Outsider")
        self.members = []
        self.event = self.make_event(capacity=capacity, **event_kwargs)

    def member(self, name=None):
        user = add_member(self.network, make_user(display_name=name))
        self.members.append(user)
        return user

    def make_event(self, capacity=2, starts_in=timedelta(days=3), publish=True, **kwargs):
        start = timezone.now() + starts_in
        kwargs.setdefault("title", "Using WRES data at board level")
        return services.create_event(
            actor=self.steward,
            networks=[self.network],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=capacity,
            facilitators=[self.facilitator],
            publish=publish,
            **kwargs,
        )


@pytest.fixture
def ew(db):
    return EventWorld()


def make_members(network, count):
    return [add_member(network, make_user(display_name=f"Member {i}")) for i in range(count)]


EventWorld.__test__ = False
