from datetime import UTC, datetime

import icalendar
import pytest
from django.urls import reverse

from events import services
from events.models import Event
from tests.events.conftest import EventWorld

pytestmark = pytest.mark.django_db


def fetch(client, user, event):
    client.force_login(user)
    response = client.get(reverse("events:calendar", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, calendar.walk("VEVENT")[0]


def event_at(world, start_utc, end_utc):
    event = world.make_event()
    Event.objects.filter(pk=event.pk).update(starts_at=start_utc, ends_at=end_utc)
    event.refresh_from_db()
    return event


@pytest.mark.parametrize(
    ("start_utc", "london_hour"),
    [
        # Saturday 27 March 2027: still GMT, London = UTC.
        (datetime(2027, 3, 27, 14, 0, tzinfo=UTC), 14),
        # Tuesday 30 March 2027: British Summer Time since the 28th, London = UTC + 1.
        (datetime(2027, 3, 30, 14, 0, tzinfo=UTC), 15),
    ],
)
def test_ics_carries_the_right_instant_across_the_clock_change(client, start_utc, london_hour):
    world = EventWorld()
    member = world.member()
    event = event_at(world, start_utc, start_utc.replace(hour=16))
    calendar, vevent = fetch(client, member, event)
    start = vevent.decoded("dtstart")
    assert start == start_utc  # the same instant
    assert start.hour == london_hour
    assert vevent["dtstart"].params["TZID"] == "Europe/London"
    assert calendar.walk("VTIMEZONE"), "the zone is described in the file"
    assert vevent.decoded("dtend") == start_utc.replace(hour=16)


def test_ics_uid_is_stable_and_sequence_rises_on_change_and_cancel(client):
    world = EventWorld()
    member = world.member()
    event = world.event
    _, first = fetch(client, member, event)
    event = services.update_event(
        actor=world.steward,
        event=event,
        networks=[world.network],
        facilitators=[world.facilitator],
        location="Online",
    )
    _, second = fetch(client, member, event)
    assert second["uid"] == first["uid"]
    assert second.decoded("sequence") == first.decoded("sequence") + 1
    assert str(second["status"]) == "CONFIRMED"
    event = services.cancel_event(actor=world.steward, event=event)
    _, third = fetch(client, member, event)
    assert third["uid"] == first["uid"]
    assert third.decoded("sequence") > second.decoded("sequence")
    assert str(third["status"]) == "CANCELLED"


def test_outsider_gets_404_for_the_calendar_of_a_closed_network_event(client):
    world = EventWorld()
    client.force_login(world.outsider)
    response = client.get(reverse("events:calendar", args=[world.event.pk]))
    assert response.status_code == 404
    assert world.event.title.encode() not in response.content
