from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Registration
from tests.events.conftest import EventWorld, make_members
from tests.factories import enrol_totp

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    client.get(url)  # the first request after signing in also records the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_event_list_uses_a_fixed_number_of_queries(client):
    world = EventWorld()
    member = world.member()
    client.force_login(member)
    url = reverse("events:list")
    small = count_queries(client, url)
    for _ in range(6):
        event = world.make_event()
        services.register(actor=member, event=event)
    large = count_queries(client, url)
    assert small == large


def test_facilitator_page_uses_a_fixed_number_of_queries(client):
    world = EventWorld(capacity=3)
    enrol_totp(world.facilitator)
    client.force_login(world.facilitator)
    url = reverse("events:manage", args=[world.event.pk])
    for user in make_members(world.network, 2):
        services.register(actor=user, event=world.event)
    small = count_queries(client, url)
    for user in make_members(world.network, 8):
        services.register(actor=user, event=world.event)
    large = count_queries(client, url)
    assert small == large


def test_my_registrations_uses_a_fixed_number_of_queries(client):
    world = EventWorld()
    member = world.member()
    client.force_login(member)
    services.register(actor=member, event=world.event)
    small = count_queries(client, reverse("events:mine"))
    for _ in range(5):
        services.register(actor=member, event=world.make_event())
    assert count_queries(client, reverse("events:mine")) == small


def test_event_page_shows_seats_and_waitlist_position(client):
    world = EventWorld(capacity=1)
    first, second = world.member(), world.member()
    client.force_login(first)
    client.post(reverse("events:register", args=[world.event.pk]))
    page = client.get(reverse("events:detail", args=[world.event.pk])).content.decode()
    assert "You have a seat." in page
    client.force_login(second)
    response = client.post(reverse("events:register", args=[world.event.pk]), follow=True)
    assert "waiting list (number 1)" in response.content.decode()
    page = client.get(reverse("events:detail", args=[world.event.pk])).content.decode()
    assert "You are number 1 on the waiting list" in page


def test_times_are_shown_in_london_time(client):
    world = EventWorld()
    member = world.member()
    event = world.make_event()
    start = timezone.datetime(2027, 3, 30, 14, 0, tzinfo=timezone.UTC)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    client.force_login(member)
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "Tuesday 30 March 2027, 15:00" in page


def test_participant_gets_404_on_facilitator_pages(client):
    world = EventWorld()
    member = world.member()
    client.force_login(member)
    for name in ("events:manage", "events:attendance_csv"):
        assert client.get(reverse(name, args=[world.event.pk])).status_code == 404
    response = client.post(reverse("events:capacity", args=[world.event.pk]), {"capacity": 50})
    assert response.status_code == 404
    world.event.refresh_from_db()
    assert world.event.capacity == 2


def test_lowering_capacity_shows_the_reason(client):
    world = EventWorld(capacity=2)
    for user in make_members(world.network, 2):
        services.register(actor=user, event=world.event)
    enrol_totp(world.facilitator)
    client.force_login(world.facilitator)
    response = client.post(reverse("events:capacity", args=[world.event.pk]), {"capacity": 1})
    assert response.status_code == 400
    assert "2 people already have a seat" in response.content.decode()


def test_attendance_csv_lists_registrations_safely(client):
    world = EventWorld(capacity=2)
    sly = world.member(name="=HYPERLINK(1)")
    services.register(actor=sly, event=world.event)
    services.mark_attendance(actor=world.facilitator, event=world.event, attended_user_ids=[sly.pk])
    enrol_totp(world.facilitator)
    client.force_login(world.facilitator)
    response = client.get(reverse("events:attendance_csv", args=[world.event.pk]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in body
    assert ",Confirmed,yes" in body


def test_steward_creates_and_publishes_an_event(client):
    world = EventWorld()
    enrol_totp(world.steward)
    client.force_login(world.steward)
    assert client.get(reverse("events:create")).status_code == 200
    response = client.post(
        reverse("events:create"),
        {
            "title": "A facilitated conversation for chairs",
            "description": "Bring one **question**.",
            "networks": [world.network.pk],
            "facilitators": [world.facilitator.pk],
            "starts_at": "2030-04-02T14:00",
            "ends_at": "2030-04-02T15:30",
            "format": "online",
            "capacity": "12",
            "chat_retention": "discard",
            "chat_retention_days": "0",
            "chatham_house": "on",
            "publish": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get(title="A facilitated conversation for chairs")
    assert event.status == Event.Status.PUBLISHED
    assert event.starts_at.hour == 13  # 14:00 British Summer Time is 13:00 UTC
    assert "<strong>question</strong>" in event.description_html
    member = world.member()
    client.force_login(member)
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 200


def test_network_home_shows_upcoming_events(client):
    world = EventWorld()
    member = world.member()
    client.force_login(member)
    page = client.get(reverse("community:network", args=[world.network.slug])).content.decode()
    assert world.event.title in page


def test_outsider_never_sees_a_closed_event_title(client):
    world = EventWorld()
    client.force_login(world.outsider)
    listing = client.get(reverse("events:list")).content.decode()
    assert world.event.title not in listing
    response = client.get(reverse("events:detail", args=[world.event.pk]))
    assert response.status_code == 404
    assert world.event.title not in response.content.decode()
    response = client.post(reverse("events:register", args=[world.event.pk]))
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_facilitator_approves_and_declines_requests_from_the_page(client):
    world = EventWorld()
    event = world.make_event(capacity=1, approval_required=True)
    a, b = world.member(name="Asha Request"), world.member(name="Bola Request")
    ra = services.register(actor=a, event=event)
    rb = services.register(actor=b, event=event)
    enrol_totp(world.facilitator)
    client.force_login(world.facilitator)
    page = client.get(reverse("events:manage", args=[event.pk])).content.decode()
    assert "Asha Request" in page and "Requests waiting for approval" in page
    url = reverse("events:decide", args=[event.pk, ra.pk])
    client.post(url, {"decision": "approve"})
    client.post(reverse("events:decide", args=[event.pk, rb.pk]), {"decision": "decline"})
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert (ra.status, rb.status) == (Registration.Status.CONFIRMED, Registration.Status.DECLINED)
    assert client.post(url, {"decision": "maybe"}).status_code == 404


def test_steward_edits_then_cancels_the_event(client):
    world = EventWorld()
    member = world.member()
    services.register(actor=member, event=world.event)
    enrol_totp(world.steward)
    client.force_login(world.steward)
    form = client.get(reverse("events:edit", args=[world.event.pk])).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("networks", "facilitators")
    }
    data.update(
        {
            "title": "Using WRES data at board level (new date)",
            "networks": [world.network.pk],
            "facilitators": [world.facilitator.pk],
            "starts_at": timezone.localtime(world.event.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(world.event.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "chatham_house": "on",
        }
    )
    data.pop("approval_required", None)
    response = client.post(reverse("events:edit", args=[world.event.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    world.event.refresh_from_db()
    assert world.event.title.endswith("(new date)")
    assert world.event.sequence == 1
    assert client.get(reverse("events:cancel", args=[world.event.pk])).status_code == 200
    client.post(reverse("events:cancel", args=[world.event.pk]))
    world.event.refresh_from_db()
    assert world.event.status == Event.Status.CANCELLED
    client.force_login(member)
    page = client.get(reverse("events:detail", args=[world.event.pk])).content.decode()
    assert "This event has been cancelled." in page


def test_the_place_partial_is_only_the_your_place_section(client):
    world = EventWorld(capacity=1)
    member = world.member()
    client.force_login(member)
    url = reverse("events:detail", args=[world.event.pk])
    page = client.get(url, {"partial": "place"}).content.decode()
    assert page.lstrip().startswith("<section")
    assert "Your place" in page
    assert "<html" not in page
