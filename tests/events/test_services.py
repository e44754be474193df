from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from community.models import AuditEvent, Notification
from events import services
from events.models import Event, Registration

pytestmark = pytest.mark.django_db
Status = Registration.Status


def test_registration_takes_a_seat_until_full_then_waitlists_in_order(ew):
    a, b, c, d = (ew.member() for _ in range(4))
    assert services.register(actor=a, event=ew.event).status == Status.CONFIRMED
    assert services.register(actor=b, event=ew.event).status == Status.CONFIRMED
    third = services.register(actor=c, event=ew.event)
    fourth = services.register(actor=d, event=ew.event)
    assert third.status == fourth.status == Status.WAITLISTED
    assert services.waitlist_position(third) == 1
    assert services.waitlist_position(fourth) == 2


def test_a_second_click_returns_the_existing_registration(ew):
    a = ew.member()
    first = services.register(actor=a, event=ew.event)
    again = services.register(actor=a, event=ew.event)
    assert first.pk == again.pk
    assert Registration.objects.filter(event=ew.event, user=a).count() == 1


def test_the_database_refuses_a_second_active_registration(ew):
    a = ew.member()
    services.register(actor=a, event=ew.event)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=ew.event, user=a, status=Status.WAITLISTED)


def test_non_member_cannot_register(ew):
    with pytest.raises(services.EventError):
        services.register(actor=ew.outsider, event=ew.event)
    assert not Registration.objects.exists()


def test_registration_window_is_enforced(ew):
    a = ew.member()
    now = timezone.now()
    Event.objects.filter(pk=ew.event.pk).update(registration_opens_at=now + timedelta(hours=1))
    ew.event.refresh_from_db()
    with pytest.raises(services.EventError, match="not opened yet"):
        services.register(actor=a, event=ew.event)
    Event.objects.filter(pk=ew.event.pk).update(
        registration_opens_at=None, registration_closes_at=now - timedelta(minutes=1)
    )
    ew.event.refresh_from_db()
    with pytest.raises(services.EventError, match="closed"):
        services.register(actor=a, event=ew.event)


def test_draft_event_cannot_be_registered_for(ew):
    draft = ew.make_event(publish=False)
    with pytest.raises(services.EventError):
        services.register(actor=ew.member(), event=draft)


def test_cancelling_frees_the_seat_for_the_first_waitlisted_and_tells_them(
    ew, django_capture_on_commit_callbacks
):
    a, b, c, d = (ew.member() for _ in range(4))
    for user in (a, b, c, d):
        services.register(actor=user, event=ew.event)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(actor=a, event=ew.event)
    statuses = dict(Registration.objects.filter(event=ew.event).values_list("user_id", "status"))
    assert statuses[a.pk] == Status.CANCELLED
    assert statuses[c.pk] == Status.CONFIRMED
    assert statuses[d.pk] == Status.WAITLISTED
    assert Notification.objects.filter(user=c, kind="event_seat_confirmed").exists()
    assert not Notification.objects.filter(user=d, kind="event_seat_confirmed").exists()
    assert [m.to for m in mail.outbox] == [[c.email]]
    assert ew.event.title not in mail.outbox[0].body


def test_cancelled_person_may_register_again(ew):
    a = ew.member()
    services.register(actor=a, event=ew.event)
    services.cancel_registration(actor=a, event=ew.event)
    again = services.register(actor=a, event=ew.event)
    assert again.status == Status.CONFIRMED


def test_raising_capacity_promotes_as_many_as_fit(ew):
    users = [ew.member() for _ in range(5)]
    for user in users:
        services.register(actor=user, event=ew.event)
    _event, promoted = services.change_capacity(actor=ew.facilitator, event=ew.event, capacity=4)
    assert [r.user_id for r in promoted] == [users[2].pk, users[3].pk]
    assert Registration.objects.filter(event=ew.event, status=Status.CONFIRMED).count() == 4
    assert Registration.objects.get(event=ew.event, user=users[4]).status == Status.WAITLISTED


def test_lowering_capacity_below_confirmed_is_refused_with_a_clear_message(ew):
    for _ in range(2):
        services.register(actor=ew.member(), event=ew.event)
    with pytest.raises(services.EventError, match="2 people already have a seat"):
        services.change_capacity(actor=ew.facilitator, event=ew.event, capacity=1)
    ew.event.refresh_from_db()
    assert ew.event.capacity == 2


def test_a_participant_cannot_change_capacity(ew):
    a = ew.member()
    with pytest.raises(services.EventError):
        services.change_capacity(actor=a, event=ew.event, capacity=10)


def test_approval_takes_a_seat_or_waitlists_and_decline_is_final(ew):
    event = ew.make_event(capacity=1, approval_required=True)
    a, b, c = ew.member(), ew.member(), ew.member()
    ra = services.register(actor=a, event=event)
    rb = services.register(actor=b, event=event)
    rc = services.register(actor=c, event=event)
    assert {ra.status, rb.status, rc.status} == {Status.AWAITING_APPROVAL}
    assert Notification.objects.filter(user=ew.facilitator, kind="event_approval_needed").exists()
    assert services.approve_registration(actor=ew.facilitator, registration=ra).status == (
        Status.CONFIRMED
    )
    assert services.approve_registration(actor=ew.steward, registration=rb).status == (
        Status.WAITLISTED
    )
    assert services.decline_registration(actor=ew.facilitator, registration=rc).status == (
        Status.DECLINED
    )
    assert services.register(actor=c, event=event).status == Status.DECLINED
    with pytest.raises(services.EventError):
        services.approve_registration(actor=a, registration=rc)


def test_cancelling_the_event_tells_everyone_registered(ew):
    a, b, c = ew.member(), ew.member(), ew.member()
    for user in (a, b, c):
        services.register(actor=user, event=ew.event)
    sequence = ew.event.sequence
    event = services.cancel_event(actor=ew.steward, event=ew.event)
    assert event.status == Event.Status.CANCELLED
    assert event.sequence == sequence + 1
    told = set(
        Notification.objects.filter(kind="event_cancelled").values_list("user_id", flat=True)
    )
    assert told == {a.pk, b.pk, c.pk, ew.facilitator.pk}
    with pytest.raises(services.EventError):
        services.register(actor=ew.member(), event=event)


def test_only_a_steward_can_cancel_the_event(ew):
    with pytest.raises(services.EventError):
        services.cancel_event(actor=ew.facilitator, event=ew.event)


def test_updating_a_published_event_raises_its_sequence(ew):
    before = ew.event.sequence
    event = services.update_event(
        actor=ew.steward,
        event=ew.event,
        networks=[ew.network],
        facilitators=[ew.facilitator],
        title="Using WRES data at board level: part one",
    )
    assert event.sequence == before + 1


def test_steward_chooses_only_networks_they_run_and_facilitators_from_members(ew):
    from tests.factories import make_network, make_user

    other = make_network(slug="someone-elses")
    start = timezone.now() + timedelta(days=2)
    with pytest.raises(services.EventError, match="networks you run"):
        services.create_event(
            actor=ew.steward,
            networks=[other],
            title="x",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
    with pytest.raises(services.EventError, match="Facilitators must be members"):
        services.create_event(
            actor=ew.steward,
            networks=[ew.network],
            title="x",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            facilitators=[make_user()],
        )


def test_attendance_marking_sets_and_clears(ew):
    a, b = ew.member(), ew.member()
    services.register(actor=a, event=ew.event)
    services.register(actor=b, event=ew.event)
    services.mark_attendance(actor=ew.facilitator, event=ew.event, attended_user_ids=[a.pk])
    assert set(
        Registration.objects.filter(event=ew.event, attended=True).values_list("user_id", flat=True)
    ) == {a.pk}
    services.mark_attendance(actor=ew.facilitator, event=ew.event, attended_user_ids=[b.pk])
    assert set(
        Registration.objects.filter(event=ew.event, attended=True).values_list("user_id", flat=True)
    ) == {b.pk}
    assert AuditEvent.objects.filter(verb="event.attendance").count() == 2
    assert services.record_arrival(event=ew.event, user=a) == 1


def test_reminders_are_content_free_and_sent_once(ew, django_capture_on_commit_callbacks):
    closed_title = "Using WRES data at board level"
    soon = ew.make_event(starts_in=timedelta(hours=20), title=closed_title)
    later = ew.make_event(starts_in=timedelta(days=3))
    a = ew.member()
    services.register(actor=a, event=soon)
    services.register(actor=a, event=later)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body + mail.outbox[0].subject
    assert closed_title not in body
    assert f"/events/{soon.pk}/" in body
    assert timezone.localtime(soon.starts_at).strftime("%H:%M") in body
    assert Notification.objects.filter(user=a, kind="event_reminder").count() == 1


def test_facilitators_must_use_two_factor(ew):
    from community.policies import requires_two_factor

    assert requires_two_factor(ew.facilitator)
    plain = ew.member()
    assert not requires_two_factor(plain)


def test_export_and_erase(ew):
    from community.data import erase_user, export_user_data

    a, b = ew.member(), ew.member()
    ew2 = ew.make_event(capacity=1)
    services.register(actor=a, event=ew2)
    services.register(actor=b, event=ew2)
    data = export_user_data(actor=a)
    assert data["events"]["registrations"][0]["status"] == Status.CONFIRMED
    erase_user(actor=a)
    assert not Registration.objects.filter(user=a).exists()
    assert Registration.objects.get(user=b, event=ew2).status == Status.CONFIRMED
