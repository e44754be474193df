"""The event page offers the live session to the people the room lets in, when it is on."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.live import policies, services
from tests.factories import enrol_totp
from tests.live.conftest import LiveWorld

pytestmark = pytest.mark.django_db

JOIN_TEXT, RUN_TEXT = "Join the live session", "Run the live session"


@pytest.fixture
def plain_lw(db):
    lw = LiveWorld()
    enrol_totp(lw.facilitator)
    return lw


def page(client, user, event, name="events:detail"):
    client.force_login(user)
    return client.get(reverse(name, args=[event.pk])).content.decode()


def at(lw, minutes_from_start):
    return lw.event.starts_at + timedelta(minutes=minutes_from_start)


@pytest.mark.parametrize(
    ("who", "minutes", "expected"),
    [
        ("alice", -60, None),  # registrant, an hour before: not yet
        ("alice", -29, policies.JOIN),  # within the 30 minutes before the start
        ("alice", 60, policies.JOIN),  # during
        ("alice", 121, None),  # the event has ended
        ("facilitator", -60 * 24, policies.RUN),  # facilitators prepare beforehand
        ("facilitator", 121, None),
        ("unregistered", 10, None),  # a member without a seat
        ("outsider", 10, None),
    ],
)
def test_who_is_offered_the_live_session_and_when(plain_lw, who, minutes, expected):
    user = getattr(plain_lw, who)
    assert policies.live_entry(user, plain_lw.event, now=at(plain_lw, minutes)) == expected


def test_an_ended_session_is_no_longer_offered(plain_lw):
    services.change_state(actor=plain_lw.facilitator, event=plain_lw.event, state="live")
    services.change_state(actor=plain_lw.facilitator, event=plain_lw.event, state="ended")
    assert policies.live_entry(plain_lw.alice, plain_lw.event, now=at(plain_lw, 10)) is None
    assert policies.live_entry(plain_lw.facilitator, plain_lw.event, now=at(plain_lw, 10)) is None


def test_event_page_links_registrants_and_facilitators_to_the_room(plain_lw, client):
    event = plain_lw.event
    event.starts_at = timezone.now() + timedelta(minutes=10)
    event.save(update_fields=["starts_at"])
    live_url = reverse("live:session", kwargs={"event_id": event.pk})
    registrant = page(client, plain_lw.alice, event)
    assert JOIN_TEXT in registrant and live_url in registrant
    facilitator = page(client, plain_lw.facilitator, event)
    assert RUN_TEXT in facilitator and live_url in facilitator
    assert RUN_TEXT in page(client, plain_lw.facilitator, event, "events:manage")
    other = page(client, plain_lw.unregistered, event)
    assert JOIN_TEXT not in other and live_url not in other
