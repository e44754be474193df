import pytest

from community import demo as community_demo
from events import demo
from events.models import Event, Registration

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_with_upcoming_and_past_events():
    context = community_demo.seed()
    demo.seed(context)
    counts = (Event.objects.count(), Registration.objects.count())
    demo.seed(context)
    assert (Event.objects.count(), Registration.objects.count()) == counts
    assert Event.objects.filter(ends_at__lt=demo.timezone.now()).exists()
    assert Event.objects.filter(starts_at__gt=demo.timezone.now()).count() >= 3
    assert Registration.objects.filter(status="waitlisted").exists()
    assert Registration.objects.filter(status="awaiting_approval").exists()
    assert Registration.objects.filter(attended=True).count() == 3
