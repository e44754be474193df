"""Who may be in a live session, and who runs it (CONVENTIONS.md: policies.py).

Built on events.policies: facilitators of the event, and its confirmed registrants who are
still eligible (members of one of its networks). A person removed from the session may not
come back. Every answer is computed afresh (`live_role` forgets cached answers), because a
session re-checks on every message while registrations and memberships change.
"""

from django.db.models import Exists, OuterRef
from django.http import Http404

from community.policies import forget_cached_permissions
from events import policies as event_policies
from events.live.models import LiveSession, Removal

FACILITATOR = "facilitator"
PARTICIPANT = "participant"


def live_role(user, event):
    """ "facilitator", "participant", or None for anyone who may not be in the room now.

    One query, asked afresh on every message; the user's cached permission answers are
    forgotten too, since whatever runs next must not trust what was true when they joined.
    """
    forget_cached_permissions(user)
    facts = event_policies.attendance_facts(
        user,
        event.pk,
        removed=Exists(Removal.objects.filter(session__event=OuterRef("pk"), user_id=user.pk)),
    )
    if not event_policies.may_attend(facts):
        return None
    if facts.facilitating:
        return FACILITATOR
    return None if facts.removed else PARTICIPANT


def get_session_for_attendee(user, event_id):
    """The event and its live session, or 404 for missing, forbidden and removed alike."""
    event = event_policies.get_event_for_attendee(user, event_id)
    if live_role(user, event) is None:
        raise Http404("No such event.")
    # Reading the page makes nothing: the row appears when a facilitator first acts.
    session = LiveSession.objects.filter(event=event).first() or LiveSession(event=event)
    return event, session
