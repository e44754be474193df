"""The live session over WebSocketCommunicator: what people see, and what they never see."""

import json

import pytest
from asgiref.sync import sync_to_async

from community import services as community_services
from events import services as event_services
from events.live import selectors, services
from events.live.models import Attendance, ChatMessage, LiveEvent, PollVote
from events.models import Registration
from tests.live.conftest import close_all

pytestmark = pytest.mark.django_db(transaction=True)


def of_type(messages, kind):
    return [m for m in messages if m["type"] == kind]


async def test_snapshot_comes_after_joining_and_names_the_current_number(lw, sockets):
    await sync_to_async(lw.go_live)()
    await sync_to_async(services.send_chat)(actor=lw.bola, event=lw.event, text="Welcome")
    alice = await sockets(lw.alice, lw.event)
    try:
        snap = alice.snapshot
        assert snap["state"] == "live"
        assert snap["seq"] == 2
        assert [m["html"] for m in snap["chat"]] == ["Welcome"]
        assert snap["me"] == {"id": lw.alice.pk, "name": "Alice Adeyemi", "role": "participant"} | {
            "muted": False
        }
        assert [p["id"] for p in snap["presence"]] == [lw.alice.pk]
        assert "muted" not in snap  # the facilitators' list of muted people
    finally:
        await close_all(alice)


async def test_chat_reaches_everyone_once_with_the_next_number(lw, sockets):
    await sync_to_async(lw.go_live)()
    alice = await sockets(lw.alice, lw.event)
    bola = await sockets(lw.bola, lw.event)
    try:
        await alice.drain()
        await alice.send({"type": "chat.send", "text": "Our board **reads** WRES data <b>x</b>"})
        for socket in (alice, bola):
            message, _ = await socket.receive_until("chat.message")
            assert message["seq"] == 2
            assert (
                message["html"] == "Our board <strong>reads</strong> WRES data &lt;b&gt;x&lt;/b&gt;"
            )
            assert message["author"] == {"id": lw.alice.pk, "name": "Alice Adeyemi"}
            assert of_type(await socket.drain(), "chat.message") == []
    finally:
        await close_all(alice, bola)


async def test_resume_replays_exactly_the_missed_messages_once(lw, sockets):
    await sync_to_async(lw.go_live)()
    alice = await sockets(lw.alice, lw.event)
    bola = await sockets(lw.bola, lw.event)
    await alice.send({"type": "chat.send", "text": "one"})
    seen, _ = await alice.receive_until("chat.message")
    last = seen["seq"]
    await close_all(alice)
    for text in ("two", "three", "four"):
        await bola.send({"type": "chat.send", "text": text})
        await bola.receive_until("chat.message")
    alice = await sockets(lw.alice, lw.event)
    try:
        await alice.drain()
        await alice.send({"type": "resume", "last_seq": last})
        replayed = await alice.drain()
        chats = of_type(replayed, "chat.message")
        assert [m["html"] for m in chats] == ["two", "three", "four"]
        assert [m["seq"] for m in chats] == [last + 1, last + 2, last + 3]
        # Asking again from the newest number gives nothing more.
        await alice.send({"type": "resume", "last_seq": chats[-1]["seq"]})
        assert await alice.nothing()
    finally:
        await close_all(alice, bola)


async def test_resume_from_the_future_or_too_far_back_gets_a_fresh_snapshot(
    lw, sockets, monkeypatch
):
    from events.live import consumers

    await sync_to_async(lw.go_live)()
    alice = await sockets(lw.alice, lw.event)
    try:
        await alice.send({"type": "resume", "last_seq": 999})
        assert (await alice.receive_until("snapshot"))[0]["seq"] == 1
        monkeypatch.setattr(consumers, "REPLAY_LIMIT", 2)
        for text in ("a", "b", "c"):
            await sync_to_async(services.send_chat)(actor=lw.bola, event=lw.event, text=text)
        await alice.drain()
        await alice.send({"type": "resume", "last_seq": 0})
        fresh, _ = await alice.receive_until("snapshot")
        assert fresh["seq"] == 4
    finally:
        await close_all(alice)


async def test_anonymous_question_never_carries_its_author(lw, sockets):
    await sync_to_async(lw.go_live)()
    facilitator = await sockets(lw.facilitator, lw.event)
    bola = await sockets(lw.bola, lw.event)
    try:
        await bola.send({"type": "question.ask", "text": "Is it safe here?", "anonymous": True})
        for socket in (facilitator, bola):
            asked, _ = await socket.receive_until("question.asked")
            question = asked["question"]
            assert question["author"] is None and question["anonymous"] is True
            assert set(question) == {
                "id", "html", "author", "anonymous", "votes", "answered", "pinned", "at"
            }  # fmt: skip
            assert "Bola" not in json.dumps(asked)
        await facilitator.send({"type": "question.pin", "question_id": asked["question"]["id"]})
        updated, _ = await bola.receive_until("question.updated")
        assert updated["question"]["author"] is None and updated["question"]["pinned"] is True
        row = await sync_to_async(LiveEvent.objects.get)(seq=asked["seq"])
        assert "Bola" not in str(row.payload)
    finally:
        await close_all(facilitator, bola)


async def test_upvote_once_each_and_sorted_by_votes(lw, sockets):
    await sync_to_async(lw.go_live)()
    first = await sync_to_async(services.ask_question)(actor=lw.bola, event=lw.event, text="First")
    second = await sync_to_async(services.ask_question)(actor=lw.bola, event=lw.event, text="Next")
    alice = await sockets(lw.alice, lw.event)
    try:
        await alice.send({"type": "question.upvote", "question_id": second.pk})
        updated, _ = await alice.receive_until("question.updated")
        assert updated["question"]["votes"] == 1
        await alice.send({"type": "question.upvote", "question_id": second.pk})
        error, _ = await alice.receive_until("error")
        assert error["message"] == "You have already upvoted this question."
        snap = await sync_to_async(selectors.snapshot)(
            user=lw.alice, session=lw.event.live_session, role="participant"
        )
        assert [q["id"] for q in snap["questions"]] == [second.pk, first.pk]
        assert snap["upvoted"] == [second.pk]
    finally:
        await close_all(alice)


async def test_chat_is_rate_limited_with_a_clear_message(lw, sockets):
    await sync_to_async(lw.go_live)()
    alice = await sockets(lw.alice, lw.event)
    try:
        for n in range(5):
            await alice.send({"type": "chat.send", "text": f"line {n}"})
            await alice.receive_until("chat.message")
        await alice.send({"type": "chat.send", "text": "one too many"})
        error, _ = await alice.receive_until("error")
        assert error["message"].startswith("You can send 5 messages every 10 seconds.")
        assert await sync_to_async(ChatMessage.objects.count)() == 5
    finally:
        await close_all(alice)


async def test_participants_wait_in_the_lobby_until_the_session_is_live(lw, sockets):
    alice = await sockets(lw.alice, lw.event)
    try:
        await alice.send({"type": "chat.send", "text": "hello?"})
        error, _ = await alice.receive_until("error")
        assert error["message"] == "The session has not started yet, so you cannot chat."
    finally:
        await close_all(alice)


async def test_hands_queue_in_order_and_the_called_person_hears_it(lw, sockets):
    await sync_to_async(lw.go_live)()
    facilitator = await sockets(lw.facilitator, lw.event)
    alice = await sockets(lw.alice, lw.event)
    bola = await sockets(lw.bola, lw.event)
    try:
        await bola.send({"type": "hand.raise"})
        await bola.receive_until("hand.raised")
        await alice.send({"type": "hand.raise"})
        await alice.receive_until("hand.raised", where=lambda m: m["user"]["id"] == lw.alice.pk)
        snap = await sync_to_async(selectors.snapshot)(
            user=lw.facilitator, session=lw.event.live_session, role="facilitator"
        )
        assert [h["user"]["id"] for h in snap["hands"]] == [lw.bola.pk, lw.alice.pk]
        await facilitator.send({"type": "hand.call", "user_id": lw.alice.pk})
        called, _ = await alice.receive_until("hand.called")
        assert called["user"]["id"] == lw.alice.pk
        await facilitator.send({"type": "hand.lower", "user_id": lw.bola.pk})
        lowered, _ = await bola.receive_until("hand.lowered")
        assert lowered["user_id"] == lw.bola.pk
        await alice.send({"type": "hand.lower", "user_id": lw.bola.pk})
        error, _ = await alice.receive_until("error")
        assert error["message"] == "Only the facilitators can do that."
    finally:
        await close_all(facilitator, alice, bola)


async def test_poll_votes_change_until_close_and_only_tallies_are_sent(lw, sockets):
    await sync_to_async(lw.go_live)()
    poll = await sync_to_async(services.create_poll)(
        actor=lw.facilitator, event=lw.event, question="First step?", kind="single",
        options=["Data", "Culture"],
    )  # fmt: skip
    await sync_to_async(services.open_poll)(actor=lw.facilitator, event=lw.event, poll_id=poll.pk)
    data, culture = await sync_to_async(lambda: list(poll.options.all()))()
    alice = await sockets(lw.alice, lw.event)
    bola = await sockets(lw.bola, lw.event)
    try:
        await alice.send({"type": "poll.vote", "poll_id": poll.pk, "option_ids": [data.pk]})
        tally, seen = await bola.receive_until("poll.tally")
        assert tally["tallies"] == {str(data.pk): 1, str(culture.pk): 0}
        assert of_type(seen, "poll.voted") == []  # bola gets a skip, not alice's choice
        assert str(lw.alice.pk) not in str(tally)
        await alice.send({"type": "poll.vote", "poll_id": poll.pk, "option_ids": [culture.pk]})
        tally, _ = await bola.receive_until("poll.tally")
        assert tally["tallies"] == {str(data.pk): 0, str(culture.pk): 1}
        await alice.send(
            {"type": "poll.vote", "poll_id": poll.pk, "option_ids": [data.pk, culture.pk]}
        )
        error, _ = await alice.receive_until("error")
        assert error["message"] == "This poll takes one choice."
        await sync_to_async(services.close_poll)(
            actor=lw.facilitator, event=lw.event, poll_id=poll.pk
        )
        await alice.send({"type": "poll.vote", "poll_id": poll.pk, "option_ids": [data.pk]})
        error, _ = await alice.receive_until("error")
        assert error["message"] == "That poll is not open."
        assert await sync_to_async(PollVote.objects.count)() == 1
    finally:
        await close_all(alice, bola)


async def test_breakout_rooms_scope_chat_and_bring_everyone_back(lw, sockets):
    await sync_to_async(lw.go_live)()
    facilitator = await sockets(lw.facilitator, lw.event)
    alice = await sockets(lw.alice, lw.event)
    bola = await sockets(lw.bola, lw.event)
    try:
        await facilitator.send({"type": "rooms.create", "count": 2})
        created, _ = await facilitator.receive_until("rooms.created")
        one, two = (room["id"] for room in created["rooms"])
        await facilitator.send(
            {
                "type": "rooms.assign",
                "mode": "manual",
                "assignments": {str(lw.alice.pk): one, str(lw.bola.pk): two},
            }
        )
        await facilitator.receive_until("rooms.assigned")
        await facilitator.send({"type": "rooms.open", "minutes": 5})
        for socket, room in ((alice, one), (bola, two)):
            await socket.receive_until("rooms.opened")
            fresh, _ = await socket.receive_until("snapshot")
            assert fresh["room"] == room
        await alice.send({"type": "chat.send", "text": "Only room one"})
        await alice.receive_until("chat.message")
        skipped = await bola.drain()
        assert of_type(skipped, "chat.message") == [] and of_type(skipped, "skip")
        assert of_type(await facilitator.drain(), "chat.message") == []
        await facilitator.send({"type": "rooms.visit", "room_id": one})
        visit, _ = await facilitator.receive_until("snapshot")
        assert [m["html"] for m in visit["chat"]] == ["Only room one"]
        await facilitator.send({"type": "rooms.broadcast", "text": "Two minutes"})
        for socket in (alice, bola):
            message, _ = await socket.receive_until("rooms.message")
            assert message["html"] == "Two minutes"
        await facilitator.send({"type": "rooms.close"})
        for socket in (alice, bola):
            await socket.receive_until("rooms.closed")
            back, _ = await socket.receive_until("snapshot")
            assert back["room"] is None and back["chat"] == []
    finally:
        await close_all(facilitator, alice, bola)


async def test_removed_participant_is_disconnected_and_cannot_rejoin(lw, sockets):
    await sync_to_async(lw.go_live)()
    facilitator = await sockets(lw.facilitator, lw.event)
    bola = await sockets(lw.bola, lw.event)
    try:
        await facilitator.send({"type": "participant.remove", "user_id": lw.bola.pk})
        assert await bola.closed_with() == 4403
        again = await sockets(lw.bola, lw.event, expect_snapshot=False)
        assert await again.closed_with() == 4404
    finally:
        await close_all(facilitator, bola)


async def test_muted_participant_cannot_chat_and_is_told(lw, sockets):
    await sync_to_async(lw.go_live)()
    facilitator = await sockets(lw.facilitator, lw.event)
    bola = await sockets(lw.bola, lw.event)
    alice = await sockets(lw.alice, lw.event)
    try:
        await facilitator.send({"type": "participant.mute", "user_id": lw.bola.pk})
        told, _ = await bola.receive_until("participant.muted")
        assert told["muted"] is True
        assert of_type(await alice.drain(), "participant.muted") == []
        await bola.send({"type": "chat.send", "text": "hello"})
        error, _ = await bola.receive_until("error")
        assert error["message"] == "A facilitator has muted you for this session."
    finally:
        await close_all(facilitator, bola, alice)


async def test_cancelled_registration_closes_the_connection_at_once(lw, sockets):
    await sync_to_async(lw.go_live)()
    bola = await sockets(lw.bola, lw.event)
    try:
        await sync_to_async(event_services.cancel_registration)(actor=lw.bola, event=lw.event)
        # The hook events' cancel service calls; until it does, the next message closes it.
        await sync_to_async(services.revoke_live_access)(user_id=lw.bola.pk, event_id=lw.event.pk)
        assert await bola.closed_with() == 4403
    finally:
        await close_all(bola)


async def test_every_message_asks_the_policy_again(lw, sockets):
    await sync_to_async(lw.go_live)()
    bola = await sockets(lw.bola, lw.event)
    try:
        await sync_to_async(Registration.objects.filter(user=lw.bola).update)(
            status=Registration.Status.CANCELLED
        )
        await bola.send({"type": "chat.send", "text": "still here?"})
        assert await bola.closed_with() == 4403
        assert await sync_to_async(ChatMessage.objects.count)() == 0
    finally:
        await close_all(bola)


async def test_removal_from_the_network_closes_the_connection(lw, sockets):
    await sync_to_async(lw.go_live)()
    bola = await sockets(lw.bola, lw.event)
    try:
        await sync_to_async(community_services.remove_member)(
            actor=lw.steward, network=lw.network, user=lw.bola
        )
        assert await bola.closed_with() == 4403
    finally:
        await close_all(bola)


async def test_presence_and_attendance_are_recorded(lw, sockets):
    await sync_to_async(lw.go_live)()
    alice = await sockets(lw.alice, lw.event)
    bola = await sockets(lw.bola, lw.event)
    try:
        joined, _ = await alice.receive_until(
            "presence", where=lambda m: lw.bola.pk in [p["id"] for p in m["joined"]]
        )
        assert "seq" not in joined
        await close_all(bola)
        left, _ = await alice.receive_until("presence", where=lambda m: m["left"])
        assert left == {"type": "presence", "joined": [], "left": [lw.bola.pk]}
        # Closing waited for bola's disconnect handler to finish: attendance is written.
        attendance = await sync_to_async(Attendance.objects.get)(user=lw.bola)
        assert attendance.connections == 0 and attendance.last_left_at is not None
        registration = await sync_to_async(Registration.objects.get)(user=lw.bola, event=lw.event)
        assert registration.attended is True
    finally:
        await close_all(alice)


async def test_ending_sends_facilitators_a_summary_of_counts_and_others_a_skip(lw, sockets):
    await sync_to_async(lw.go_live)()
    facilitator = await sockets(lw.facilitator, lw.event)
    alice = await sockets(lw.alice, lw.event)
    try:
        await alice.send({"type": "chat.send", "text": "Thank you all"})
        await facilitator.receive_until("chat.message")
        await facilitator.send({"type": "session.state", "state": "ended"})
        summary, _ = await facilitator.receive_until("session.summary")
        assert summary["summary"] == {
            "attended": 2,
            "messages": 1,
            "questions": 0,
            "answered": 0,
            "polls": 0,
        }
        skip, _ = await alice.receive_until("skip", where=lambda m: m["seq"] == summary["seq"])
        assert skip == {"type": "skip", "seq": summary["seq"]}
        # A facilitator coming back to the ended session finds the summary in the snapshot.
        again = await sockets(lw.facilitator, lw.event)
        assert again.snapshot["summary"]["messages"] == 1
        assert "summary" not in alice.snapshot
        await close_all(again)
    finally:
        await close_all(facilitator, alice)
