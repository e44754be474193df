"""What events hold about one person: their export and their erasure (DESIGN.md rule 9).

Registered through the site's declared protocol (EventsConfig in apps.py).
"""

from django.utils import timezone

from events import policies
from events.models import Event, Registration
from events.services import _lock, _promote


def export_user_data(user):
    return {
        "registrations": [
            {
                "event": r.event.title,
                "starts_at": r.event.starts_at,
                "status": r.status,
                "attended": r.attended,
                "created_at": r.created_at,
            }
            for r in Registration.objects.filter(user=user).select_related("event")
        ],
        "facilitating": list(policies.facilitated_events(user).values_list("title", flat=True)),
    }


def erase_user_data(user):
    """Free the person's seats (promoting the waiting list), then delete their registrations."""
    event_ids = list(
        Registration.objects.filter(user=user, status=Registration.Status.CONFIRMED).values_list(
            "event_id", flat=True
        )
    )
    Registration.objects.filter(user=user).delete()
    now = timezone.now()
    for event in Event.objects.filter(pk__in=event_ids, status=Event.Status.PUBLISHED):
        _promote(_lock(event), now=now)
