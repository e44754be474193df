"""Seats under real concurrency: PostgreSQL, real threads, one connection each."""

import threading

import pytest
from django.db import connection

from events import services
from events.models import Registration
from tests.events.conftest import EventWorld, make_members

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Status = Registration.Status


def run_at_once(calls):
    """Run each call in its own thread, released together; returns (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - every error is a failure we report
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_sixty_simultaneous_registrations_for_ten_seats_confirm_exactly_ten():
    world = EventWorld(capacity=10)
    members = make_members(world.network, 60)
    event = world.event
    results, errors = run_at_once(
        [lambda user=user: services.register(actor=user, event=event) for user in members]
    )
    assert errors == []
    assert all(r is not None for r in results)
    rows = list(Registration.objects.filter(event=event).order_by("pk"))
    assert len(rows) == 60
    confirmed = [r for r in rows if r.status == Status.CONFIRMED]
    waitlisted = [r for r in rows if r.status == Status.WAITLISTED]
    assert len(confirmed) == 10
    assert len(waitlisted) == 50
    # In order: everyone confirmed came before everyone waiting, and the waiting list is the
    # order in which people reached the locked event row.
    assert max(r.pk for r in confirmed) < min(r.pk for r in waitlisted)
    by_time = sorted(waitlisted, key=lambda r: (r.waitlisted_at, r.pk))
    assert [r.pk for r in by_time] == [r.pk for r in waitlisted]
    assert [services.waitlist_position(r) for r in by_time] == list(range(1, 51))


def test_twenty_simultaneous_clicks_by_one_member_give_one_registration():
    world = EventWorld(capacity=10)
    member = world.member()
    event = world.event
    results, errors = run_at_once(
        [lambda: services.register(actor=member, event=event) for _ in range(20)]
    )
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert Registration.objects.filter(event=event, user=member).count() == 1


def test_concurrent_cancellations_promote_exactly_as_many_as_seats_freed():
    world = EventWorld(capacity=10)
    members = make_members(world.network, 25)
    event = world.event
    for user in members:
        services.register(actor=user, event=event)
    leaving = members[:6]
    results, errors = run_at_once(
        [
            lambda user=user: services.cancel_registration(actor=user, event=event)
            for user in leaving
        ]
    )
    assert errors == []
    statuses = dict(Registration.objects.filter(event=event).values_list("user_id", "status"))
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 10
    assert [statuses[u.pk] for u in members[10:16]] == [Status.CONFIRMED] * 6
    assert [statuses[u.pk] for u in members[16:]] == [Status.WAITLISTED] * 9
    assert Registration.objects.filter(event=event, status=Status.CANCELLED).count() == 6
