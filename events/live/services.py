"""Everything that changes a live session: one function per verb (CONVENTIONS.md: services.py).

Each verb checks the policy, locks the session row (which also hands out the next sequence
number), writes, logs the exact broadcast as a `LiveEvent` row, and sends it after commit
through `_emit`, the one helper that names the channel-layer group. The payload is serialised
once here; consumers only forward it (or a `skip` for connections that may not see it), so
delivering a message never queries the database.

The reads that build the payloads and a connection's snapshot are in `selectors.py`; the
Chatham House purge is in `retention.py`.
"""

import json
import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from community import live
from community.locking import lock_one
from community.services import audit
from community.text import render_inline
from events.live import policies, presence, selectors
from events.live.models import (
    Attendance,
    BreakoutRoom,
    ChatMessage,
    Hand,
    LiveEvent,
    LiveSession,
    Mute,
    Poll,
    PollOption,
    PollVote,
    Question,
    QuestionVote,
    Removal,
    RoomAssignment,
)
from events.models import Registration

Audience = LiveEvent.Audience
State = LiveSession.State

CHAT_MAX = 2000
QUESTION_MAX = 1000
CHAT_RATE = 5  # messages ...
CHAT_RATE_WINDOW = timedelta(seconds=10)  # ... per this window
MAX_ROOMS = 20
MAX_POLL_OPTIONS = 10
MAX_ROOM_MINUTES = 120


class LiveError(Exception):
    """A refusal a person can read; the consumer sends it back as an error frame."""


class NotInSession(LiveError):
    """The person may no longer be in the room at all: the consumer closes the connection."""


def session_group(session_id):
    """The one channel-layer group of a session: every connection of every person in it."""
    return f"live.{session_id}"


def revoke_live_access(*, user_id, event_id):
    """Close a person's live connections to one event (for example a cancelled registration).

    The connection re-checks the policy when it hears this and closes if the person may no
    longer be there. events' cancel service calls this after a registration is cancelled.
    """
    live.send_after_commit(live.user_group(user_id), {"type": "live.revoke", "event_id": event_id})


# The one way a broadcast leaves a service ------------------------------------------------------


def _emit(session, kind, data, *, audience=Audience.ALL, room=None, user=None):
    """Number, log and (after commit) broadcast one durable happening. `session` is locked."""
    # The row is locked (_locked_session), so its number is current: one UPDATE, no re-read.
    session.seq += 1
    session.save(update_fields=["seq"])
    seq = session.seq
    payload = {"type": kind, "seq": seq, **data}
    LiveEvent.objects.create(
        session=session,
        seq=seq,
        kind=kind,
        audience=audience,
        room=room,
        user_id=getattr(user, "pk", user),
        payload=payload,
    )
    message = bell(
        kind=kind,
        seq=seq,
        audience=audience,
        room=getattr(room, "pk", room),
        user=getattr(user, "pk", user),
        payload=payload,
    )
    live.send_after_commit(session_group(session.pk), message)
    return seq


def bell(*, kind, seq, audience, room, user, payload):
    """The channel-layer message for one numbered happening: the same whether it comes from
    `_emit` after commit or from a `LiveEvent` row read to fill a gap (`bell_from_row`)."""
    return {
        "type": "live.message",
        "kind": kind,
        "seq": seq,
        "audience": audience,
        "room": room,
        "user": user,
        "text": json.dumps(payload, separators=(",", ":")),
    }


def bell_from_row(row):
    """A bell rebuilt from a `LiveEvent` row (a dict from `missed` or `logged`)."""
    return bell(
        kind=row["kind"],
        seq=row["seq"],
        audience=row["audience"],
        room=row["room_id"],
        user=row["user_id"],
        payload=row["payload"],
    )


def _presence(session, *, joined=None, left=None):
    """Presence is not durable: no number, no log row. It is batched per process (see
    events.live.presence), so a crowd arriving costs each person a frame per interval, not
    a frame per arrival."""
    group = session_group(session.pk)
    transaction.on_commit(lambda: presence.note(group, joined=joined, left=left), robust=True)


def ensure_session(*, event):
    """The event's live session row, made on the first connection to it."""
    return LiveSession.objects.get_or_create(event=event)[0]


def _locked_session(event):
    """The session row, locked; a wait past the lock timeout is "busy, try again"."""
    sessions = LiveSession.objects.filter(event=event)
    session = lock_one(sessions, busy=LiveError, missing_ok=True)
    if session is None:
        LiveSession.objects.get_or_create(event=event)
        session = lock_one(sessions, busy=LiveError)
    return session


def _require(actor, event, *, facilitator=False):
    role = policies.live_role(actor, event)
    if role is None:
        raise NotInSession("You are not part of this session.")
    if facilitator and role != policies.FACILITATOR:
        raise LiveError("Only the facilitators can do that.")
    return role


def _require_live(session, role, what="do that"):
    if role == policies.FACILITATOR and session.state in (State.OPEN, State.LIVE):
        return
    if session.state != State.LIVE:
        if session.state == State.ENDED:
            raise LiveError("The session has ended.")
        raise LiveError(f"The session has not started yet, so you cannot {what}.")


def _participant(session, user_id):
    """A person who may be acted on in this session (attended, or registered)."""
    from community.models import User

    user = User.objects.select_related("profile").filter(pk=user_id).first()
    if user is None:
        raise LiveError("That person is not in this session.")
    registered = Registration.objects.filter(
        event_id=session.event_id, user=user, status=Registration.Status.CONFIRMED
    ).exists()
    if not registered and not Attendance.objects.filter(session=session, user=user).exists():
        raise LiveError("That person is not in this session.")
    return user


# Presence and attendance -------------------------------------------------------------------------


@transaction.atomic
def join_session(*, actor, event):
    """Count an open connection; the first one marks the person present and attended."""
    role = _require(actor, event)
    session = _locked_session(event)
    now = timezone.now()
    attendance, _ = Attendance.objects.select_for_update().get_or_create(
        session=session, user=actor, defaults={"first_joined_at": now}
    )
    attendance.connections += 1
    if attendance.connections == 1:
        attendance.present_since = now
        _presence(session, joined={**selectors.person(actor), "role": role})
    attendance.save()
    if role == policies.PARTICIPANT and session.state in (State.OPEN, State.LIVE):
        Registration.objects.filter(
            event=event, user=actor, status=Registration.Status.CONFIRMED, attended=False
        ).update(attended=True, attended_at=now)
    return session, role


@transaction.atomic
def leave_session(*, actor, event):
    session = LiveSession.objects.select_for_update().filter(event_id=event.pk).first()
    if session is None:
        return
    attendance = Attendance.objects.select_for_update().filter(session=session, user=actor).first()
    if attendance is None or attendance.connections == 0:
        return
    now = timezone.now()
    attendance.connections -= 1
    if attendance.connections == 0:
        if attendance.present_since:
            attendance.seconds_present += int((now - attendance.present_since).total_seconds())
        attendance.present_since = None
        attendance.last_left_at = now
        _presence(session, left=actor.pk)
    attendance.save()


# Session state ---------------------------------------------------------------------------------

ALLOWED_MOVES = {
    State.SCHEDULED: {State.OPEN, State.LIVE},
    State.OPEN: {State.LIVE, State.ENDED},
    State.LIVE: {State.ENDED},
    State.ENDED: set(),
}


@transaction.atomic
def change_state(*, actor, event, state):
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    if state not in ALLOWED_MOVES[session.state]:
        raise LiveError(f"The session cannot go from {session.state} to {state}.")
    now = timezone.now()
    session.state = state
    if state == State.LIVE and session.started_at is None:
        session.started_at = now
    if state == State.ENDED:
        session.ended_at = now
        session.rooms_open = False
        Hand.objects.filter(session=session, lowered_at__isnull=True).update(lowered_at=now)
    session.save(update_fields=["state", "started_at", "ended_at", "rooms_open"])
    audit(actor=actor, verb="live.state", target=session, state=state)
    _emit(session, "session.state", {"state": state})
    if state == State.ENDED:
        _emit(
            session,
            "session.summary",
            {"summary": selectors.summary(session)},
            audience=Audience.FACILITATORS,
        )


# Chat ------------------------------------------------------------------------------------------


def _start_writing(actor, event, text, *, what, empty, name, limit):
    """What chat and questions check first: a participant who is live and not muted, and some
    text within the limit. Returns the locked session and the trimmed text."""
    role = _require(actor, event)
    text = (text or "").strip()
    if not text:
        raise LiveError(empty)
    if len(text) > limit:
        raise LiveError(f"{name} can be at most {limit:,} characters.")
    session = _locked_session(event)
    _require_live(session, role, what)
    if Mute.objects.filter(session=session, user=actor).exists():
        raise LiveError("A facilitator has muted you for this session.")
    return session, text


@transaction.atomic
def send_chat(*, actor, event, text):
    session, text = _start_writing(
        actor,
        event,
        text,
        what="chat",
        empty="Write a message first.",
        name="A message",
        limit=CHAT_MAX,
    )
    recent = ChatMessage.objects.filter(
        session=session, author=actor, created_at__gte=timezone.now() - CHAT_RATE_WINDOW
    ).count()
    if recent >= CHAT_RATE:
        raise LiveError(
            f"You can send {CHAT_RATE} messages every {CHAT_RATE_WINDOW.seconds} seconds. "
            "Please wait a moment and send it again."
        )
    room = selectors.current_room(session, actor.pk)
    message = ChatMessage(
        session=session,
        room=room,
        author=actor,
        text=text,
        text_html=str(render_inline(text)),
        seq=session.seq + 1,
    )
    message.save()
    seq = _emit(
        session, "chat.message", selectors.chat_payload(message), audience=Audience.ROOM, room=room
    )
    assert seq == message.seq  # noqa: S101 (the session row is locked)
    return message


@transaction.atomic
def hide_chat(*, actor, event, message_id):
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    message = ChatMessage.objects.filter(session=session, pk=message_id, hidden=False).first()
    if message is None:
        raise LiveError("That message is not there any more.")
    message.hidden = True
    message.save(update_fields=["hidden"])
    audit(actor=actor, verb="live.chat_hide", target=message, subject=message.author_id)
    _emit(
        session,
        "chat.hidden",
        {"id": message.pk, "room": message.room_id},
        audience=Audience.ROOM,
        room=message.room,
    )


# Moderation ------------------------------------------------------------------------------------


@transaction.atomic
def mute_participant(*, actor, event, user_id, muted=True):
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    user = _participant(session, user_id)
    if policies.live_role(user, event) == policies.FACILITATOR:
        raise LiveError("Facilitators cannot be muted.")
    if muted:
        _, changed = Mute.objects.get_or_create(session=session, user=user, defaults={"by": actor})
    else:
        changed = Mute.objects.filter(session=session, user=user).delete()[0] > 0
    if not changed:
        return
    audit(actor=actor, verb="live.mute" if muted else "live.unmute", target=session, subject=user)
    data = {"user": selectors.person(user), "muted": muted}
    _emit(session, "participant.muted", data, audience=Audience.FACILITATORS)
    _emit(session, "participant.muted", data, audience=Audience.USER, user=user)


@transaction.atomic
def remove_participant(*, actor, event, user_id):
    """Remove a person from this session: their connections close and they cannot rejoin."""
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    user = _participant(session, user_id)
    if policies.live_role(user, event) == policies.FACILITATOR:
        raise LiveError("Facilitators cannot be removed from their own session.")
    _, created = Removal.objects.get_or_create(session=session, user=user, defaults={"by": actor})
    if not created:
        raise LiveError("That person has already been removed.")
    Hand.objects.filter(session=session, user=user, lowered_at__isnull=True).update(
        lowered_at=timezone.now()
    )
    audit(actor=actor, verb="live.remove", target=session, subject=user)
    _emit(
        session,
        "participant.removed",
        {"user": selectors.person(user)},
        audience=Audience.FACILITATORS,
    )
    _emit(session, "hand.lowered", {"user_id": user.pk}, audience=Audience.ALL)
    revoke_live_access(user_id=user.pk, event_id=event.pk)


# Hands -----------------------------------------------------------------------------------------


@transaction.atomic
def raise_hand(*, actor, event):
    role = _require(actor, event)
    session = _locked_session(event)
    _require_live(session, role, "raise your hand")
    if Hand.objects.filter(session=session, user=actor, lowered_at__isnull=True).exists():
        raise LiveError("Your hand is already raised.")
    room = selectors.current_room(session, actor.pk)
    hand = Hand.objects.create(session=session, user=actor, room=room)
    _emit(
        session,
        "hand.raised",
        {"user": selectors.person(actor), "room": hand.room_id, "at": hand.raised_at.isoformat()},
        audience=Audience.ROOM,
        room=room,
    )


def _lower(session, user_id, kind="hand.lowered"):
    hand = Hand.objects.filter(session=session, user_id=user_id, lowered_at__isnull=True).first()
    if hand is None:
        raise LiveError("That hand is not raised.")
    hand.lowered_at = timezone.now()
    hand.save(update_fields=["lowered_at"])
    _emit(session, kind, {"user_id": user_id}, audience=Audience.ROOM, room=hand.room)


@transaction.atomic
def lower_hand(*, actor, event, user_id=None):
    """Lower your own hand, or (facilitators) anyone's."""
    target = actor.pk if user_id is None else user_id
    _require(actor, event, facilitator=target != actor.pk)
    session = _locked_session(event)
    _lower(session, target)


@transaction.atomic
def call_on_hand(*, actor, event, user_id):
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    hand = (
        Hand.objects.select_related("user__profile")
        .filter(session=session, user_id=user_id, lowered_at__isnull=True)
        .first()
    )
    if hand is None:
        raise LiveError("That hand is not raised.")
    if hand.called_at is not None:
        raise LiveError("That person has already been called on.")
    hand.called_at = timezone.now()
    hand.save(update_fields=["called_at"])
    _emit(
        session,
        "hand.called",
        {"user": selectors.person(hand.user), "room": hand.room_id},
        audience=Audience.ROOM,
        room=hand.room,
    )


# Questions -------------------------------------------------------------------------------------


@transaction.atomic
def ask_question(*, actor, event, text, anonymous=False):
    session, text = _start_writing(
        actor,
        event,
        text,
        what="ask a question",
        empty="Write your question first.",
        name="A question",
        limit=QUESTION_MAX,
    )
    question = Question.objects.create(
        session=session,
        author=actor,
        anonymous=bool(anonymous),
        text=text,
        text_html=str(render_inline(text)),
    )
    _emit(session, "question.asked", {"question": selectors.question_payload(question)})
    return question


def _question(session, question_id):
    question = (
        Question.objects.select_related("author__profile")
        .filter(session=session, pk=question_id, hidden=False)
        .first()
    )
    if question is None:
        raise LiveError("That question is not there any more.")
    return question


@transaction.atomic
def upvote_question(*, actor, event, question_id):
    role = _require(actor, event)
    session = _locked_session(event)
    _require_live(session, role, "upvote")
    question = _question(session, question_id)
    _, created = QuestionVote.objects.get_or_create(question=question, user=actor)
    if not created:
        raise LiveError("You have already upvoted this question.")
    Question.objects.filter(pk=question.pk).update(votes=F("votes") + 1)
    question.refresh_from_db(fields=["votes"])
    _emit(session, "question.updated", {"question": selectors.question_payload(question)})


def _update_question(actor, event, question_id, verb, **fields):
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    question = _question(session, question_id)
    for name, value in fields.items():
        setattr(question, name, value)
    question.save(update_fields=list(fields))
    audit(actor=actor, verb=verb, target=question)
    if question.hidden:
        _emit(session, "question.hidden", {"id": question.pk})
    else:
        _emit(session, "question.updated", {"question": selectors.question_payload(question)})


@transaction.atomic
def answer_question(*, actor, event, question_id, answered=True):
    _update_question(actor, event, question_id, "live.question_answer", answered=bool(answered))


@transaction.atomic
def pin_question(*, actor, event, question_id, pinned=True):
    _update_question(actor, event, question_id, "live.question_pin", pinned=bool(pinned))


@transaction.atomic
def hide_question(*, actor, event, question_id):
    _update_question(actor, event, question_id, "live.question_hide", hidden=True)


# Polls -----------------------------------------------------------------------------------------


@transaction.atomic
def create_poll(*, actor, event, question, kind, options):
    _require(actor, event, facilitator=True)
    question = (question or "").strip()
    options = [o.strip() for o in options if isinstance(o, str) and o.strip()]
    if not question or len(question) > 300:
        raise LiveError("Write the poll question (at most 300 characters).")
    if not 2 <= len(options) <= MAX_POLL_OPTIONS or any(len(o) > 200 for o in options):
        raise LiveError(f"A poll needs 2 to {MAX_POLL_OPTIONS} options of at most 200 characters.")
    if kind not in Poll.Kind.values:
        raise LiveError("Choose single or multiple choice.")
    session = _locked_session(event)
    poll = Poll.objects.create(session=session, question=question, kind=kind)
    PollOption.objects.bulk_create(
        PollOption(poll=poll, position=i, label=label) for i, label in enumerate(options)
    )
    audit(actor=actor, verb="live.poll_create", target=poll)
    _emit(
        session,
        "poll.created",
        {"poll": selectors.poll_payload(poll, with_tallies=False)},
        audience=Audience.FACILITATORS,
    )
    return poll


def _poll(session, poll_id, status):
    poll = Poll.objects.select_for_update().filter(session=session, pk=poll_id).first()
    if poll is None:
        raise LiveError("That poll is not there.")
    if poll.status != status:
        raise LiveError(
            {
                Poll.Status.DRAFT: "That poll has already been opened.",
                Poll.Status.OPEN: "That poll is not open.",
            }[status]
        )
    return poll


@transaction.atomic
def open_poll(*, actor, event, poll_id):
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    poll = _poll(session, poll_id, Poll.Status.DRAFT)
    poll.status = Poll.Status.OPEN
    poll.opened_at = timezone.now()
    poll.save(update_fields=["status", "opened_at"])
    audit(actor=actor, verb="live.poll_open", target=poll)
    _emit(session, "poll.opened", {"poll": selectors.poll_payload(poll)})


@transaction.atomic
def close_poll(*, actor, event, poll_id):
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    poll = _poll(session, poll_id, Poll.Status.OPEN)
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    counts, _ = selectors.tallies(poll)
    for option in poll.options.all():
        option.final_tally = counts[str(option.pk)]
        option.save(update_fields=["final_tally"])
    audit(actor=actor, verb="live.poll_close", target=poll)
    _emit(session, "poll.closed", {"poll": selectors.poll_payload(poll)})


@transaction.atomic
def vote_in_poll(*, actor, event, poll_id, option_ids):
    """Vote, or change your vote while the poll is open. Only tallies are broadcast."""
    role = _require(actor, event)
    session = _locked_session(event)
    _require_live(session, role, "vote")
    poll = _poll(session, poll_id, Poll.Status.OPEN)
    chosen = list(dict.fromkeys(option_ids))
    options = list(poll.options.filter(pk__in=chosen))
    if not options or len(options) != len(chosen):
        raise LiveError("Choose one of the poll's options.")
    if poll.kind == Poll.Kind.SINGLE and len(options) != 1:
        raise LiveError("This poll takes one choice.")
    PollVote.objects.filter(poll=poll, user=actor).delete()
    PollVote.objects.bulk_create(PollVote(poll=poll, option=o, user=actor) for o in options)
    _emit(
        session,
        "poll.voted",
        {"poll_id": poll.pk, "option_ids": [o.pk for o in options]},
        audience=Audience.USER,
        user=actor,
    )
    counts, voters = selectors.tallies(poll)
    _emit(session, "poll.tally", {"poll_id": poll.pk, "tallies": counts, "voters": voters})


# Breakout rooms --------------------------------------------------------------------------------


@transaction.atomic
def create_rooms(*, actor, event, count):
    _require(actor, event, facilitator=True)
    if not 1 <= count <= MAX_ROOMS:
        raise LiveError(f"Choose between 1 and {MAX_ROOMS} rooms.")
    session = _locked_session(event)
    if session.rooms_open:
        raise LiveError("Close the open rooms first.")
    RoomAssignment.objects.filter(session=session).delete()
    session.rooms.all().delete()
    BreakoutRoom.objects.bulk_create(
        BreakoutRoom(session=session, number=n, name=f"Room {n}") for n in range(1, count + 1)
    )
    audit(actor=actor, verb="live.rooms_create", target=session, count=count)
    _emit(
        session,
        "rooms.created",
        {"rooms": selectors.room_list(session), "assignments": {}, "replace": True},
    )


@transaction.atomic
def assign_rooms(*, actor, event, mode="random", assignments=None):
    """Assign the people present at random, or by hand ({user_id: room_id or None})."""
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    rooms = list(session.rooms.all())
    if not rooms:
        raise LiveError("Create the rooms first.")
    by_id = {r.pk: r for r in rooms}
    if mode == "random":
        present = list(
            Attendance.objects.filter(session=session, connections__gt=0)
            .exclude(user_id__in=_facilitator_ids(event))
            .values_list("user_id", flat=True)
        )
        random.shuffle(present)
        wanted = {uid: rooms[i % len(rooms)].pk for i, uid in enumerate(present)}
        RoomAssignment.objects.filter(session=session).delete()
        replace = True
    elif mode == "manual" and isinstance(assignments, dict):
        wanted = {}
        for uid, room_id in assignments.items():
            if room_id is not None and room_id not in by_id:
                raise LiveError("Choose one of the rooms.")
            wanted[_participant(session, uid).pk] = room_id
        replace = False
    else:
        raise LiveError("Choose random or manual assignment.")
    for uid, room_id in wanted.items():
        RoomAssignment.objects.filter(session=session, user_id=uid).delete()
        if room_id is not None:
            RoomAssignment.objects.create(session=session, room=by_id[room_id], user_id=uid)
    changed = {str(uid): room_id for uid, room_id in wanted.items()}
    audit(actor=actor, verb="live.rooms_assign", target=session, mode=mode)
    _emit(
        session,
        "rooms.assigned",
        {"rooms": selectors.room_list(session), "assignments": changed, "replace": replace},
    )


def _facilitator_ids(event):
    from events import policies as event_policies

    return event_policies.facilitator_ids(event)


@transaction.atomic
def open_rooms(*, actor, event, minutes):
    _require(actor, event, facilitator=True)
    if not 1 <= minutes <= MAX_ROOM_MINUTES:
        raise LiveError(f"Choose between 1 and {MAX_ROOM_MINUTES} minutes.")
    session = _locked_session(event)
    if not session.rooms.exists():
        raise LiveError("Create the rooms first.")
    if session.state != State.LIVE:
        raise LiveError("Start the session before opening rooms.")
    if session.rooms_open:
        raise LiveError("The rooms are already open.")
    session.rooms_open = True
    session.rooms_close_at = timezone.now() + timedelta(minutes=minutes)
    session.save(update_fields=["rooms_open", "rooms_close_at"])
    audit(actor=actor, verb="live.rooms_open", target=session, minutes=minutes)
    _emit(
        session,
        "rooms.opened",
        {"rooms": selectors.room_list(session), "closes_at": session.rooms_close_at.isoformat()},
    )


@transaction.atomic
def broadcast_to_rooms(*, actor, event, text):
    _require(actor, event, facilitator=True)
    text = (text or "").strip()
    if not text or len(text) > CHAT_MAX:
        raise LiveError(f"Write a message of at most {CHAT_MAX:,} characters.")
    session = _locked_session(event)
    if not session.rooms_open:
        raise LiveError("The rooms are not open.")
    _emit(
        session,
        "rooms.message",
        {"author": selectors.person(actor), "html": str(render_inline(text))},
    )


@transaction.atomic
def visit_room(*, actor, event, room_id=None):
    """A facilitator joins a breakout room (or returns to the main room with None)."""
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    if room_id is not None and not session.rooms.filter(pk=room_id).exists():
        raise LiveError("Choose one of the rooms.")
    RoomAssignment.objects.filter(session=session, user=actor).delete()
    if room_id is not None:
        RoomAssignment.objects.create(session=session, room_id=room_id, user=actor)
    changed = {str(actor.pk): room_id}
    _emit(
        session,
        "rooms.assigned",
        {"rooms": selectors.room_list(session), "assignments": changed, "replace": False},
    )


@transaction.atomic
def close_rooms(*, actor, event):
    """Everyone returns to the main room; hands raised in the rooms are lowered."""
    _require(actor, event, facilitator=True)
    session = _locked_session(event)
    if not session.rooms_open:
        raise LiveError("The rooms are not open.")
    session.rooms_open = False
    session.rooms_close_at = None
    session.save(update_fields=["rooms_open", "rooms_close_at"])
    Hand.objects.filter(session=session, room__isnull=False, lowered_at__isnull=True).update(
        lowered_at=timezone.now()
    )
    audit(actor=actor, verb="live.rooms_close", target=session)
    _emit(session, "rooms.closed", {})
