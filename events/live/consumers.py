"""The live session's WebSocket: an adapter between the protocol and events.live.services.

connect: the policy (facilitators and confirmed registrants; removed people refused) or close
with 4404; join the session group first, then send the snapshot. Every incoming message is
checked for size, type and fields, and the policy is asked again before the service runs.
Broadcasts arrive already serialised; this consumer decides in memory whether this connection
may see each one (its role and room are tracked from the messages themselves) and forwards it
or a `skip` with the same number, so delivery never queries the database.

Numbers leave in order, each once: bells arriving early (another process wrote them, and
the layer delivered them first) wait in `pending` until the numbers before them arrive; a
number still missing after `delivery.GAP_WAIT` is read once per process (events.live.delivery).
See docs/live-protocol.md.
"""

import asyncio
import json
import logging

from channels.db import database_sync_to_async
from django.http import Http404

from community.consumers import (
    CLOSE_NOT_FOUND,
    CLOSE_REVOKED,
    CLOSE_TRY_AGAIN,
    UserConnectionConsumer,
    is_sequence_number,
    is_storable_text,
)
from events.live import delivery, policies, presence, selectors, services
from events.live.models import LiveEvent

logger = logging.getLogger(__name__)

REPLAY_LIMIT = 1000
Audience = LiveEvent.Audience
ROOM_KINDS = frozenset({"rooms.created", "rooms.assigned", "rooms.opened", "rooms.closed"})
STATE_ENDED = "ended"


# A small schema per message type: its fields, their kinds, and who may send it. -------------


def _int(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _opt_int(value):
    return value is None or _int(value)


def _bool(value):
    return isinstance(value, bool)


def _text(limit):
    return lambda value: is_storable_text(value, limit)


def _int_list(value):
    return isinstance(value, list) and 0 < len(value) <= 20 and all(_int(v) for v in value)


def _str_list(value):
    return (
        isinstance(value, list)
        and 0 < len(value) <= 20
        and all(is_storable_text(v, 200) for v in value)
    )


def _id_key(key):
    # ASCII digits only: "²".isdigit() is true but int() refuses it, as it does 4,400 digits.
    return key.isascii() and key.isdecimal() and len(key) < 19


def _assignments(value):
    return (
        isinstance(value, dict)
        and len(value) <= 500
        and all(_id_key(k) and _opt_int(v) for k, v in value.items())
    )


def _state(value):
    return value in ("open", "live", "ended")


def _kind(value):
    return value in ("single", "multiple")


def _mode(value):
    return value in ("random", "manual")


EVERYONE, FACILITATORS = "everyone", "facilitators"

# type: (who may send it, required fields, optional fields)
SCHEMAS = {
    "resume": (EVERYONE, {"last_seq": is_sequence_number}, {}),
    "chat.send": (EVERYONE, {"text": _text(services.CHAT_MAX)}, {}),
    "hand.raise": (EVERYONE, {}, {}),
    "hand.lower": (EVERYONE, {}, {"user_id": _int}),
    "question.ask": (EVERYONE, {"text": _text(services.QUESTION_MAX)}, {"anonymous": _bool}),
    "question.upvote": (EVERYONE, {"question_id": _int}, {}),
    "poll.vote": (EVERYONE, {"poll_id": _int, "option_ids": _int_list}, {}),
    "session.state": (FACILITATORS, {"state": _state}, {}),
    "chat.hide": (FACILITATORS, {"message_id": _int}, {}),
    "participant.mute": (FACILITATORS, {"user_id": _int}, {"muted": _bool}),
    "participant.remove": (FACILITATORS, {"user_id": _int}, {}),
    "hand.call": (FACILITATORS, {"user_id": _int}, {}),
    "question.answer": (FACILITATORS, {"question_id": _int}, {"answered": _bool}),
    "question.pin": (FACILITATORS, {"question_id": _int}, {"pinned": _bool}),
    "question.hide": (FACILITATORS, {"question_id": _int}, {}),
    "poll.create": (
        FACILITATORS,
        {"question": _text(300), "kind": _kind, "options": _str_list},
        {},
    ),
    "poll.open": (FACILITATORS, {"poll_id": _int}, {}),
    "poll.close": (FACILITATORS, {"poll_id": _int}, {}),
    "rooms.create": (FACILITATORS, {"count": _int}, {}),
    "rooms.assign": (FACILITATORS, {"mode": _mode}, {"assignments": _assignments}),
    "rooms.open": (FACILITATORS, {"minutes": _int}, {}),
    "rooms.broadcast": (FACILITATORS, {"text": _text(services.CHAT_MAX)}, {}),
    "rooms.visit": (FACILITATORS, {"room_id": _opt_int}, {}),
    "rooms.close": (FACILITATORS, {}, {}),
}


def _call(name, **fixed):
    def call(actor, event, fields):
        return getattr(services, name)(actor=actor, event=event, **fixed, **fields)

    return call


def _assign(actor, event, fields):
    assignments = fields.get("assignments")
    if assignments is not None:
        assignments = {int(k): v for k, v in assignments.items()}
    return services.assign_rooms(
        actor=actor, event=event, mode=fields["mode"], assignments=assignments
    )


VERBS = {
    "chat.send": _call("send_chat"),
    "hand.raise": _call("raise_hand"),
    "hand.lower": _call("lower_hand"),
    "question.ask": _call("ask_question"),
    "question.upvote": _call("upvote_question"),
    "poll.vote": _call("vote_in_poll"),
    "session.state": _call("change_state"),
    "chat.hide": _call("hide_chat"),
    "participant.mute": _call("mute_participant"),
    "participant.remove": _call("remove_participant"),
    "hand.call": _call("call_on_hand"),
    "question.answer": _call("answer_question"),
    "question.pin": _call("pin_question"),
    "question.hide": _call("hide_question"),
    "poll.create": _call("create_poll"),
    "poll.open": _call("open_poll"),
    "poll.close": _call("close_poll"),
    "rooms.create": _call("create_rooms"),
    "rooms.assign": _assign,
    "rooms.open": _call("open_rooms"),
    "rooms.broadcast": _call("broadcast_to_rooms"),
    "rooms.visit": _call("visit_room"),
    "rooms.close": _call("close_rooms"),
}


def validate(content):
    """(type, fields) for a well-formed message, or raise ValueError with a readable reason."""
    if not isinstance(content, dict):
        raise ValueError("A message must be a JSON object.")
    kind = content.get("type")
    if kind not in SCHEMAS:
        raise ValueError("Unknown message type.")
    _who, required, optional = SCHEMAS[kind]
    fields = {k: v for k, v in content.items() if k != "type"}
    unknown = set(fields) - set(required) - set(optional)
    if unknown:
        raise ValueError(f"Unexpected field: {sorted(unknown)[0]}.")
    for name, check in required.items():
        if name not in fields or not check(fields[name]):
            raise ValueError(f"The field {name} is missing or not valid.")
    for name, check in optional.items():
        if name in fields and not check(fields[name]):
            raise ValueError(f"The field {name} is not valid.")
    return kind, fields


class LiveSessionConsumer(UserConnectionConsumer):
    event = None
    role = None
    session_id = None
    sent_seq = 0
    assigned_room = None
    rooms_open = False

    # Connecting ---------------------------------------------------------------------------------

    async def accept_connection(self):
        # Numbered bells that arrived before the ones below them, by number; one lock so the
        # gap-fill task and the handlers never interleave their sends.
        self.pending = {}
        self.order_lock = asyncio.Lock()
        self.gap_task = None
        presence.serve()
        # Accept first, so a refusal reaches the client as a close code it will not retry.
        await self.accept()
        event_id = self.scope["url_route"]["kwargs"]["event_id"]
        if not await database_sync_to_async(self.load)(event_id):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = services.session_group(self.session_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        snapshot = await database_sync_to_async(self.join)()
        if snapshot is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.send_snapshot(snapshot)

    def load(self, event_id):
        try:
            event, session = policies.get_session_for_attendee(self.user, event_id)
        except Http404:
            return False
        if session.pk is None:
            session = services.ensure_session(event=event)
        self.event, self.session_id = event, session.pk
        self.network_ids = set(event.networks.values_list("pk", flat=True))
        return True

    def join(self):
        try:
            session, self.role = services.join_session(actor=self.user, event=self.event)
        except services.LiveError:
            return None
        self.joined = True
        return self.build_snapshot(session)

    def build_snapshot(self, session=None):
        if session is None:
            session = self.event.live_session
        data = selectors.snapshot(user=self.user, session=session, role=self.role)
        self.assigned_room, self.rooms_open = selectors.assignment_state(session, self.user.pk)
        return data

    async def send_snapshot(self, data):
        self.sent_seq = data["seq"]
        await self.send_json(data)

    async def disconnect(self, code):
        if getattr(self, "gap_task", None) is not None:
            self.gap_task.cancel()
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if getattr(self, "joined", False):
            self.joined = False
            await database_sync_to_async(services.leave_session)(actor=self.user, event=self.event)
        await super().disconnect(code)

    # Incoming -----------------------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        if self.role is None:
            return
        try:
            kind, fields = validate(content)
        except ValueError as problem:
            await self.send_error(str(problem), content)
            return
        # Roles and registrations change during a session: the policy is asked on every
        # message (by the service itself, in the same thread hop as the work).
        if kind == "resume":
            role = await database_sync_to_async(policies.live_role)(self.user, self.event)
            if role is None:
                await self.close(code=CLOSE_REVOKED)
                return
            self.role = role
            await self.resume(fields["last_seq"])
            return
        try:
            await database_sync_to_async(VERBS[kind])(self.user, self.event, fields)
        except services.NotInSession:
            await self.close(code=CLOSE_REVOKED)
        except services.LiveError as refusal:
            await self.send_error(str(refusal), content)

    async def resume(self, last_seq):
        async with self.order_lock:
            rows = await database_sync_to_async(self.missed)(last_seq)
            if rows is None or any(row["kind"] in ROOM_KINDS for row in rows):
                # Too far behind, or rooms changed meanwhile: start again from a fresh snapshot.
                await self.send_snapshot(await database_sync_to_async(self.build_snapshot)())
            else:
                # What the client asked for again, even numbers this connection already sent:
                # the client drops duplicates by number.
                for row in rows:
                    text = json.dumps(row["payload"], separators=(",", ":"))
                    await self.deliver(
                        row["seq"], row["audience"], row["room_id"], row["user_id"], text
                    )
            await self.release_pending()

    def missed(self, last_seq):
        session = self.event.live_session
        session.refresh_from_db(fields=["seq"])
        if last_seq > session.seq:
            return None
        return selectors.missed(session=session, after=last_seq, limit=REPLAY_LIMIT)

    # Outgoing (from the group; no database here) ---------------------------------------------

    def room(self):
        return self.assigned_room if self.rooms_open else None

    def may_see(self, audience, room, user):
        if audience == Audience.ALL:
            return True
        if audience == Audience.ROOM:
            return room == self.room()
        if audience == Audience.FACILITATORS:
            return self.role == policies.FACILITATOR
        if audience == Audience.USER:
            return user == self.user.pk
        return False

    async def deliver(self, seq, audience, room, user, text):
        if self.may_see(audience, room, user):
            await self.send(text_data=text)
        else:
            await self.send(text_data=f'{{"type":"skip","seq":{seq}}}')
        self.sent_seq = max(self.sent_seq, seq)

    async def live_message(self, message):
        async with self.order_lock:
            await self.take(message)
        if self.pending and (self.gap_task is None or self.gap_task.done()):
            self.gap_task = asyncio.create_task(self.fill_gaps())

    async def take(self, message):
        """Hold a numbered bell until every number before it has gone out, then release."""
        seq = message["seq"]
        if seq <= self.sent_seq or seq in self.pending:
            return  # a duplicate, or already in the snapshot or a replay
        self.pending[seq] = message
        await self.release_pending()

    async def release_pending(self):
        while self.pending:
            lowest = min(self.pending)
            if lowest <= self.sent_seq:
                del self.pending[lowest]  # a snapshot sent meanwhile already covers it
            elif lowest == self.sent_seq + 1:
                await self.forward(self.pending.pop(lowest))
            else:
                return  # a gap: fill_gaps waits for it, then reads it

    async def fill_gaps(self):
        """Wait briefly for a late bell; then read what is still missing, once per process."""
        try:
            while self.pending:
                await asyncio.sleep(delivery.GAP_WAIT)
                async with self.order_lock:
                    if not self.pending:
                        return
                    missing = list(range(self.sent_seq + 1, min(self.pending)))
                if len(missing) > REPLAY_LIMIT:
                    bells = [None]
                else:
                    bells = await delivery.fetch(self.session_id, missing)
                async with self.order_lock:
                    if None in bells:
                        # No row: purged with the chat, or too many to replay. Start again.
                        await self.send_snapshot(
                            await database_sync_to_async(self.build_snapshot)()
                        )
                        await self.release_pending()
                        continue
                    for found in bells:
                        await self.take(found)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database went away: the client reconnects and resumes
            logger.exception("live gap fill failed")
            await self.close(code=CLOSE_TRY_AGAIN)

    async def forward(self, message):
        """Send one numbered bell whose turn has come (the message, or a skip)."""
        seq = message["seq"]
        if message["kind"] in ROOM_KINDS or message["kind"] == "session.state":
            if await self.apply_room_change(message):
                return
        await self.deliver(
            seq, message["audience"], message["room"], message["user"], message["text"]
        )

    async def apply_room_change(self, message):
        """Track this connection's room; when it changes, redraw from a fresh snapshot."""
        payload = json.loads(message["text"])
        before = self.room()
        kind = payload["type"]
        if kind in ("rooms.created", "rooms.assigned"):
            if payload.get("replace"):
                self.assigned_room = None
            key = str(self.user.pk)
            if key in payload["assignments"]:
                self.assigned_room = payload["assignments"][key]
        elif kind == "rooms.opened":
            self.rooms_open = True
        elif kind == "rooms.closed" or payload.get("state") == STATE_ENDED:
            self.rooms_open = False
        if self.room() == before:
            return False
        await self.send(text_data=message["text"])
        self.sent_seq = max(self.sent_seq, message["seq"])
        await self.send_snapshot(await database_sync_to_async(self.build_snapshot)())
        return True

    async def live_presence(self, message):
        await self.send(text_data=message["text"])

    # Revocation ---------------------------------------------------------------------------------

    async def live_revoke(self, message):
        if message.get("event_id") == getattr(self.event, "pk", None):
            await self.recheck()

    async def connection_revoke_network(self, event):
        if event["network_id"] in getattr(self, "network_ids", ()):
            await self.recheck()

    async def recheck(self):
        role = await database_sync_to_async(policies.live_role)(self.user, self.event)
        if role is None:
            await self.close(code=CLOSE_REVOKED)
