"""Who may be in a live session, and who runs it (CONVENTIONS.md: policies.py).

Built on events.policies: facilitators of the event, and its confirmed registrants who are
still eligible (members of one of its networks). A person removed from the session may not
come back. Every answer is computed afresh (`live_role` forgets cached answers), because a
session re-checks on every message while registrations and memberships change.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

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


# How long before the start the event page offers "Join the live session" to registrants.
JOIN_OPENS_BEFORE = timedelta(minutes=30)
JOIN, RUN = "join", "run"


def live_entry(user, event, now=None):
    """What the event page offers this person for the live session: RUN (facilitators, from
    publication until the session ends, so they can prepare polls and rooms), JOIN (confirmed
    registrants, from JOIN_OPENS_BEFORE the start until the session or the event ends), or None.

    The same `live_role` answer as the page and the socket, so the link shows only to people
    the room would let in.
    """
    if event.is_cancelled:
        return None
    now = now or timezone.now()
    ended = LiveSession.objects.filter(event=event, state=LiveSession.State.ENDED).exists()
    if ended or now >= event.ends_at:
        return None
    role = live_role(user, event)
    if role == FACILITATOR:
        return RUN
    if role == PARTICIPANT and now >= event.starts_at - JOIN_OPENS_BEFORE:
        return JOIN
    return None
