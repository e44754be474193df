"""Who may be in a live session, and who runs it (CONVENTIONS.md: policies.py).

Built on events.policies: facilitators of the event, and its confirmed registrants who are
still eligible (members of one of its networks). A person removed from the session may not
come back. Every answer is computed afresh (`live_role` forgets cached answers), because a
session re-checks on every message while registrations and memberships change.
"""

from django.http import Http404

from community.policies import forget_cached_permissions
from events import policies as event_policies
from events.live.models import LiveSession, Removal

FACILITATOR = "facilitator"
PARTICIPANT = "participant"


def live_role(user, event):
    """ "facilitator", "participant", or None for anyone who may not be in the room now."""
    forget_cached_permissions(user)
    forget_event_answers = getattr(event_policies, "forget_cached_answers", None)
    if forget_event_answers is not None:
        forget_event_answers(user)
    try:
        event_policies.get_event_for_attendee(user, event.pk)
    except Http404:
        return None
    if event_policies.is_facilitator(user, event):
        return FACILITATOR
    if Removal.objects.filter(session__event=event, user_id=user.pk).exists():
        return None
    return PARTICIPANT


def get_session_for_attendee(user, event_id):
    """The event and its live session, or 404 for missing, forbidden and removed alike."""
    event = event_policies.get_event_for_attendee(user, event_id)
    if live_role(user, event) is None:
        raise Http404("No such event.")
    # Reading the page makes nothing: the row appears when a facilitator first acts.
    session = LiveSession.objects.filter(event=event).first() or LiveSession(event=event)
    return event, session
