"""Chatham House retention: when a live session's chat and question text go, and the purge
that removes them (the `purge_live_chat` command runs it hourly).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from community.services import audit
from events.live.models import ChatMessage, LiveEvent, LiveSession, PollOption, Question

State = LiveSession.State


def retention_ends_at(session):
    """When a Chatham House session's chat and questions go: at the end, or days after it."""
    event = session.event
    ended = session.ended_at or event.ends_at
    days = event.chat_retention_days if event.chat_retention == "keep" else 0
    return ended + timedelta(days=days)


def purge_expired_chat(*, now=None):
    """Delete chat messages, question text and the logged broadcasts that carried them.

    Attendance, polls with their options and tallies, hands and room assignments remain.
    Returns the number of sessions purged.
    """
    now = now or timezone.now()
    candidates = LiveSession.objects.filter(
        purged_at__isnull=True, event__chatham_house=True
    ).select_related("event")
    purged = 0
    for candidate in candidates:
        if session_still_running(candidate, now) or retention_ends_at(candidate) > now:
            continue
        with transaction.atomic():
            session = LiveSession.objects.select_for_update().get(pk=candidate.pk)
            if session.purged_at is not None:
                continue
            for option in PollOption.objects.filter(poll__session=session, final_tally=None):
                option.final_tally = option.votes.count()
                option.save(update_fields=["final_tally"])
            ChatMessage.objects.filter(session=session).delete()
            Question.objects.filter(session=session).update(
                text="", text_html="", author=None, hidden=True
            )
            # The log holds copies of every chat line and question: it goes too.
            LiveEvent.objects.filter(session=session).delete()
            session.purged_at = now
            session.save(update_fields=["purged_at"])
            audit(actor=None, verb="live.purge", target=session)
            purged += 1
    return purged


def session_still_running(session, now=None):
    """Not ended by a facilitator, and the event is less than 12 hours past its end."""
    now = now or timezone.now()
    running = session.state in (State.OPEN, State.LIVE) and session.ended_at is None
    return running and session.event.ends_at + timedelta(hours=12) > now
