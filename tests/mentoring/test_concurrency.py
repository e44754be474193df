"""A mentor's capacity holds when many acceptances arrive at once (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from mentoring import services
from mentoring.models import MentoringRelationship, MentorProfile
from tests.mentoring.conftest import People


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_acceptances_leave_exactly_two_relationships():
    people = People()
    mentor = people.mentor(capacity=2)
    proposals = []
    for _ in range(20):
        mentee = people.member()
        request = people.request(mentee)
        proposals.append(services.propose_mentor(actor=mentee, request=request, mentor=mentor))
    barrier = threading.Barrier(len(proposals))
    outcomes = []
    lock = threading.Lock()

    def accept(proposal):
        try:
            barrier.wait()
            services.accept_proposal(actor=mentor.user, proposal=proposal)
            outcome = "accepted"
        except services.MentoringError as error:
            outcome = f"refused: {error}"
        except Exception as error:  # noqa: BLE001 - any other error fails the test below
            outcome = f"error: {error!r}"
        finally:
            connection.close()  # each thread had its own connection
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=accept, args=(p,)) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 20
    assert [o for o in outcomes if o.startswith("error")] == []
    assert outcomes.count("accepted") == 2
    assert all("no places left" in o for o in outcomes if o.startswith("refused"))
    assert MentoringRelationship.objects.filter(mentor=mentor, status="active").count() == 2
    mentor.refresh_from_db()
    assert mentor.active_mentees == 2
    assert MentorProfile.objects.get(pk=mentor.pk).places_left == 0
