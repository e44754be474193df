"""Numbers leave a connection in order and once, whatever order the bells arrive in; presence
comes in batches.

The bells here are the real ones the services made: they are held back (as a channel layer
holds or drops them) and then rung through the real channel layer in the order a test needs.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from events.live import delivery, services
from tests.live.conftest import close_all

pytestmark = pytest.mark.django_db(transaction=True)


async def write_chat_held(lw, held, *texts):
    """Write chat lines with their bells held back; returns the held (group, bell) pairs."""
    held.clear()
    for text in texts:
        await sync_to_async(services.send_chat)(actor=lw.bola, event=lw.event, text=text)
    bells = list(held)
    held.clear()
    return bells


async def numbered(socket, until_seq):
    """The numbered frames a socket receives up to `until_seq` (presence passed over)."""
    frames = []
    while True:
        message = await socket.receive(timeout=5)
        if isinstance(message.get("seq"), int):
            frames.append(message)
            if message["seq"] >= until_seq:
                return frames


async def test_bells_arriving_out_of_order_leave_in_number_order_once(lw, sockets, held_bells):
    await sync_to_async(lw.go_live)()
    alice = await sockets(lw.alice, lw.event)
    start = alice.snapshot["seq"]
    layer = get_channel_layer()
    reads_before = delivery.reads_here()
    try:
        bells = await write_chat_held(lw, held_bells, "eleven", "twelve", "thirteen")
        # Rung backwards, and one twice: as two processes' bells can cross on the layer.
        for group, bell in [bells[2], bells[1], bells[1], bells[0], bells[2]]:
            await layer.group_send(group, bell)
        frames = await numbered(alice, start + 3)
        assert [f["seq"] for f in frames] == [start + 1, start + 2, start + 3]
        assert [f["html"] for f in frames] == ["eleven", "twelve", "thirteen"]
        # Reordered from what arrived: no database read was needed.
        assert delivery.reads_here() == reads_before
    finally:
        await close_all(alice)


async def test_a_lost_bell_is_read_once_for_every_connection_of_the_process(
    lw, sockets, held_bells
):
    await sync_to_async(lw.go_live)()
    people = [lw.alice, lw.bola, lw.facilitator]
    socks = [await sockets(person, lw.event) for person in people]
    start = max(s.snapshot["seq"] for s in socks)
    for s in socks:
        await s.drain()
    layer = get_channel_layer()
    reads_before = delivery.reads_here()
    try:
        bells = await write_chat_held(lw, held_bells, "lost on the way", "arrived")
        # The first bell never comes (a full channel drops it silently); the second does.
        await layer.group_send(*bells[1])
        for s in socks:
            frames = await numbered(s, start + 2)
            assert [f["seq"] for f in frames] == [start + 1, start + 2]
            assert [f["html"] for f in frames] == ["lost on the way", "arrived"]
        assert delivery.reads_here() == reads_before + 1
    finally:
        await close_all(*socks)


async def test_a_duplicate_bell_after_delivery_is_not_sent_again(lw, sockets, held_bells):
    await sync_to_async(lw.go_live)()
    alice = await sockets(lw.alice, lw.event)
    start = alice.snapshot["seq"]
    layer = get_channel_layer()
    try:
        (first,) = await write_chat_held(lw, held_bells, "once")
        await layer.group_send(*first)
        await layer.group_send(*first)
        (marker,) = await write_chat_held(lw, held_bells, "marker")
        await layer.group_send(*marker)
        frames = await numbered(alice, start + 2)
        assert [(f["seq"], f["html"]) for f in frames] == [
            (start + 1, "once"),
            (start + 2, "marker"),
        ]
    finally:
        await close_all(alice)


async def test_people_joining_within_a_window_cost_each_person_one_presence_frame(
    lw, sockets, settings
):
    settings.LIVE_PRESENCE_FLUSH_SECONDS = 2.0
    await sync_to_async(lw.go_live)()
    newcomers = [lw.bola, lw.facilitator]
    newcomers += [await sync_to_async(lw.participant)(f"Newcomer {n}") for n in range(3)]
    alice = await sockets(lw.alice, lw.event)
    await alice.receive_until("presence")  # her own arrival, in its own window
    joined = []
    try:
        for person in newcomers:
            joined.append(await sockets(person, lw.event))
        frame, seen = await alice.receive_until("presence", timeout=10)
        assert sorted(p["id"] for p in frame["joined"]) == sorted(p.pk for p in newcomers)
        assert frame["left"] == []
        # The marker, sent after the batch: no other presence frame came before it.
        await joined[0].send({"type": "chat.send", "text": "marker"})
        _, after = await alice.receive_until("chat.message", timeout=10)
        presence_frames = [m for m in seen + after if m["type"].startswith("presence")]
        assert presence_frames == [frame]
    finally:
        await close_all(alice, *joined)
