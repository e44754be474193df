"""A facilitator of one event cannot answer requests for another (issue 11, finding 8).

Each layer is tested alone: the view ties the registration to the event in the URL, and the
service checks that the actor manages the registration's own event, whatever object it is given.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Registration
from tests.events.conftest import EventWorld
from tests.factories import add_member, enrol_totp, make_network, make_user

pytestmark = pytest.mark.django_db


def two_events():
    """Event A (facilitated by `a.facilitator`) and event B of another steward's network."""
    a = EventWorld()
    event_a = a.make_event(approval_required=True, title="Event A")
    other_steward = make_user(display_name="Olu Steward")
    other = make_network(steward=other_steward, name="Another network")
    other_facilitator = add_member(other, make_user(display_name="Tunde Facilitator"))
    start = timezone.now() + timedelta(days=3)
    event_b = services.create_event(
        actor=other_steward,
        networks=[other],
        title="Event B",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
        facilitators=[other_facilitator],
        publish=True,
        approval_required=True,
    )
    waiting = add_member(other, make_user(display_name="Bola Waiting"))
    request_b = services.register(actor=waiting, event=event_b)
    assert request_b.status == Registration.Status.AWAITING_APPROVAL
    return a, event_a, event_b, request_b


def test_the_service_refuses_a_facilitator_of_another_event():
    a, _event_a, _event_b, request_b = two_events()
    with pytest.raises(services.EventError):
        services.decline_registration(actor=a.facilitator, registration=request_b)
    with pytest.raises(services.EventError):
        services.approve_registration(actor=a.facilitator, registration=request_b)
    request_b.refresh_from_db()
    assert request_b.status == Registration.Status.AWAITING_APPROVAL


def test_the_service_reads_the_registrations_own_event_not_the_callers_object():
    a, event_a, _event_b, request_b = two_events()
    # A caller that fetched the registration "through" event A: its in-memory event is A.
    request_b.event = event_a
    with pytest.raises(services.EventError):
        services.decline_registration(actor=a.facilitator, registration=request_b)
    assert Registration.objects.get(pk=request_b.pk).status == (
        Registration.Status.AWAITING_APPROVAL
    )


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_the_view_answers_404_for_a_registration_of_another_event(client, decision):
    a, event_a, _event_b, request_b = two_events()
    enrol_totp(a.facilitator)
    client.force_login(a.facilitator)
    url = reverse("events:decide", args=[event_a.pk, request_b.pk])
    response = client.post(url, {"decision": decision})
    assert response.status_code == 404
    assert "Event B" not in response.content.decode()
    request_b.refresh_from_db()
    assert request_b.status == Registration.Status.AWAITING_APPROVAL
