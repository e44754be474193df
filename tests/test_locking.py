"""The one row-locking helper (community/locking.py): a row held too long is "busy, try again".

Each test holds the scarce row (an event, a mentor, a live session) locked from another
PostgreSQL connection, as a slow transaction elsewhere would, and asks for it through the
channel a person uses: the answer is the app's own readable refusal, well within a bound,
never the outage page or a hung request.
"""

import time
from contextlib import contextmanager

import psycopg
import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.urls import reverse

from community.locking import BUSY_MESSAGE, lock_one
from events import services as event_services
from events.models import Event, Registration
from mentoring import services as mentoring_services
from mentoring.models import MentoringRelationship, MentorProfile
from tests.events.conftest import EventWorld
from tests.mentoring.conftest import People

TIMEOUT_MS = 300
# Generous for a loaded machine, and still far below "waits for the other transaction".
ANSWER_WITHIN = 10.0
HOLD_FOR = 30.0


@pytest.fixture
def short_lock_timeout(settings):
    settings.LOCK_TIMEOUT_MS = TIMEOUT_MS


@contextmanager
def row_locked(model, pk):
    """Hold `model`'s row `pk` with FOR UPDATE in another connection until the block ends."""
    params = connection.settings_dict
    other = psycopg.connect(
        dbname=params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=False,
    )
    try:
        # The other side gives up on its own if this test dies mid-way.
        other.execute(f"SET LOCAL idle_in_transaction_session_timeout = '{int(HOLD_FOR)}s'")
        locked = other.execute(
            f'SELECT 1 FROM "{model._meta.db_table}" WHERE id = %s FOR UPDATE', [pk]
        ).fetchall()
        assert locked == [(1,)]
        yield
    finally:
        other.rollback()
        other.close()


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registering_while_the_event_row_is_held_answers_busy_within_the_timeout(
    client, short_lock_timeout
):
    world = EventWorld(capacity=5)
    member = world.member()
    client.force_login(member)
    with row_locked(Event, world.event.pk):
        started = time.monotonic()
        response = client.post(reverse("events:register", args=[world.event.pk]))
        took = time.monotonic() - started
    assert response.status_code == 302
    assert _messages(response) == [BUSY_MESSAGE]
    assert TIMEOUT_MS / 1000 <= took < ANSWER_WITHIN
    assert not Registration.objects.filter(event=world.event, user=member).exists()
    # Free again: the same click goes through.
    response = client.post(reverse("events:register", args=[world.event.pk]))
    assert Registration.objects.filter(event=world.event, user=member).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accepting_while_the_mentor_row_is_held_answers_busy_within_the_timeout(
    client, short_lock_timeout
):
    people = People()
    mentor = people.mentor(capacity=2)
    mentee = people.member()
    proposal = mentoring_services.propose_mentor(
        actor=mentee, request=people.request(mentee), mentor=mentor
    )
    client.force_login(mentor.user)
    url = reverse("mentoring:proposal", args=[proposal.pk])
    with row_locked(MentorProfile, mentor.pk):
        started = time.monotonic()
        response = client.post(url, {"answer": "accept"})
        took = time.monotonic() - started
    assert response.status_code == 302 and response.url == url
    assert _messages(response) == [BUSY_MESSAGE]
    assert took < ANSWER_WITHIN
    assert not MentoringRelationship.objects.exists()
    mentor.refresh_from_db()
    assert mentor.active_mentees == 0


@pytest.mark.django_db(transaction=True)
def test_the_helper_refuses_to_lock_outside_a_transaction():
    with pytest.raises(RuntimeError):
        lock_one(Event.objects.all(), busy=event_services.EventError)


@pytest.mark.django_db
def test_the_helper_returns_the_row_or_none():
    world = EventWorld()
    with transaction.atomic():
        assert lock_one(Event.objects.filter(pk=world.event.pk), busy=ValueError) == world.event
        assert lock_one(Event.objects.filter(pk=-1), busy=ValueError, missing_ok=True) is None
        with pytest.raises(Event.DoesNotExist):
            lock_one(Event.objects.filter(pk=-1), busy=ValueError)
