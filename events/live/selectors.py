"""Reads that build a live session's payloads and pages: a connection's snapshot, the
payloads the services broadcast, the end-of-session summary, and the log rows a connection
replays. No writes (DESIGN.md: selectors.py); the services call these to build what they emit.
"""

from django.db.models import Count

from events.live import policies
from events.live.models import (
    Attendance,
    ChatMessage,
    Hand,
    LiveEvent,
    LiveSession,
    Mute,
    Poll,
    PollVote,
    Question,
    QuestionVote,
    RoomAssignment,
)

State = LiveSession.State

RECENT_CHAT = 50


def person(user):
    return {"id": user.pk, "name": user.display_name}


def current_room(session, user_id):
    """The breakout room a person is in now, or None for the main room."""
    if not session.rooms_open:
        return None
    assignment = RoomAssignment.objects.filter(session=session, user_id=user_id).first()
    return assignment.room if assignment else None


def chat_payload(message):
    return {
        "id": message.pk,
        "room": message.room_id,
        "author": person(message.author),
        "html": message.text_html,
        "at": message.created_at.isoformat(),
    }


def question_payload(question):
    """Never the author of an anonymous question: not its name, not its id."""
    return {
        "id": question.pk,
        "html": question.text_html,
        "author": None if question.anonymous else question.author.display_name,
        "anonymous": question.anonymous,
        "votes": question.votes,
        "answered": question.answered,
        "pinned": question.pinned,
        "at": question.created_at.isoformat(),
    }


def tallies(poll):
    counts = dict(
        PollVote.objects.filter(poll=poll)
        .values_list("option_id")
        .annotate(n=Count("id"))
        .values_list("option_id", "n")
    )
    voters = PollVote.objects.filter(poll=poll).values("user_id").distinct().count()
    return {str(option.pk): counts.get(option.pk, 0) for option in poll.options.all()}, voters


def poll_payload(poll, with_tallies=True):
    data = {
        "id": poll.pk,
        "question": poll.question,
        "kind": poll.kind,
        "status": poll.status,
        "options": [{"id": o.pk, "label": o.label} for o in poll.options.all()],
    }
    if with_tallies:
        data["tallies"], data["voters"] = tallies(poll)
    return data


def room_list(session):
    return [{"id": r.pk, "number": r.number, "name": r.name} for r in session.rooms.all()]


def assignment_map(session):
    return {
        str(user_id): room_id
        for user_id, room_id in RoomAssignment.objects.filter(session=session).values_list(
            "user_id", "room_id"
        )
    }


def snapshot(*, user, session, role):
    """What a connection needs to draw the room, and the sequence number it is current to."""
    session.refresh_from_db()
    facilitator = role == policies.FACILITATOR
    room = current_room(session, user.pk)
    presence = [
        {"id": a.user_id, "name": a.user.display_name}
        for a in Attendance.objects.filter(session=session, connections__gt=0)
        .select_related("user__profile")
        .order_by("first_joined_at")
    ]
    hands = [
        {
            "user": person(h.user),
            "room": h.room_id,
            "at": h.raised_at.isoformat(),
            "called": h.called_at is not None,
        }
        for h in Hand.objects.filter(session=session, room=room, lowered_at__isnull=True)
        .select_related("user__profile")
        .order_by("raised_at", "id")
    ]
    questions = [
        question_payload(q)
        for q in Question.objects.filter(session=session, hidden=False).select_related(
            "author__profile"
        )
    ]
    upvoted = list(
        QuestionVote.objects.filter(question__session=session, user=user).values_list(
            "question_id", flat=True
        )
    )
    polls_qs = Poll.objects.filter(session=session).prefetch_related("options")
    if not facilitator:
        polls_qs = polls_qs.exclude(status=Poll.Status.DRAFT)
    polls = [poll_payload(p, with_tallies=p.status != Poll.Status.DRAFT) for p in polls_qs]
    my_votes = {}
    for poll_id, option_id in PollVote.objects.filter(poll__session=session, user=user).values_list(
        "poll_id", "option_id"
    ):
        my_votes.setdefault(str(poll_id), []).append(option_id)
    chat = list(
        ChatMessage.objects.filter(session=session, room=room, hidden=False)
        .select_related("author__profile")
        .order_by("-seq")[:RECENT_CHAT]
    )
    data = {
        "type": "snapshot",
        "seq": session.seq,
        "state": session.state,
        "me": {
            **person(user),
            "role": role,
            "muted": Mute.objects.filter(session=session, user=user).exists(),
        },
        "room": room.pk if room else None,
        "rooms": room_list(session),
        "rooms_open": session.rooms_open,
        "rooms_close_at": session.rooms_close_at.isoformat() if session.rooms_close_at else None,
        "presence": presence,
        "hands": hands,
        "questions": questions,
        "upvoted": upvoted,
        "polls": polls,
        "my_votes": my_votes,
        "chat": [{"seq": m.seq, **chat_payload(m)} for m in reversed(chat)],
    }
    if facilitator:
        if session.state == State.ENDED:
            data["summary"] = summary(session)
        data["assignments"] = assignment_map(session)
        data["muted"] = list(Mute.objects.filter(session=session).values_list("user_id", flat=True))
    else:
        assigned = RoomAssignment.objects.filter(session=session, user=user).first()
        data["assignments"] = {str(user.pk): assigned.room_id} if assigned else {}
    return data


def summary(session):
    """What facilitators see once a session has ended: counts only, never who said what."""
    questions = Question.objects.filter(session=session, hidden=False)
    return {
        "attended": Attendance.objects.filter(session=session).count(),
        "messages": ChatMessage.objects.filter(session=session, hidden=False).count(),
        "questions": questions.count(),
        "answered": questions.filter(answered=True).count(),
        "polls": Poll.objects.filter(session=session, status=Poll.Status.CLOSED).count(),
    }


def assignment_state(session, user_id):
    """(assigned room id, rooms open) for a connection to track its room without queries."""
    assigned = (
        RoomAssignment.objects.filter(session=session, user_id=user_id)
        .values_list("room_id", flat=True)
        .first()
    )
    return assigned, session.rooms_open


def missed(*, session, after, limit):
    """Log rows after a number, or None when there are more than `limit` (too far behind)."""
    rows = list(
        LiveEvent.objects.filter(session=session, seq__gt=after)
        .order_by("seq")
        .values("seq", "audience", "room_id", "user_id", "payload", "kind")[: limit + 1]
    )
    if len(rows) > limit:
        return None
    return rows


def logged(*, session_id, seqs):
    """The log rows with these numbers (what a connection's gap fill reads; see
    events.live.delivery). A number with no row was purged with the session's chat."""
    return list(
        LiveEvent.objects.filter(session_id=session_id, seq__in=seqs)
        .order_by("seq")
        .values("seq", "audience", "room_id", "user_id", "payload", "kind")
    )
