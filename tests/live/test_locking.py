"""A live action while the session row is held elsewhere: an error frame saying "busy"."""

import time

import pytest
from asgiref.sync import sync_to_async

from community.locking import BUSY_MESSAGE
from events.live.models import ChatMessage, LiveSession
from tests.live.conftest import LiveWorld, close_all
from tests.test_locking import ANSWER_WITHIN, TIMEOUT_MS, row_locked


@pytest.fixture
def short_lock_timeout(settings):
    settings.LOCK_TIMEOUT_MS = TIMEOUT_MS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
async def test_chat_while_the_session_row_is_held_answers_an_error_frame(
    sockets, short_lock_timeout
):
    lw = await sync_to_async(LiveWorld)()
    await sync_to_async(lw.go_live)()
    session = await sync_to_async(LiveSession.objects.get)(event=lw.event)
    alice = await sockets(lw.alice, lw.event)
    try:
        await alice.drain()
        with row_locked(LiveSession, session.pk):
            started = time.monotonic()
            await alice.send({"type": "chat.send", "text": "Hello"})
            error, _ = await alice.receive_until("error", timeout=ANSWER_WITHIN)
            took = time.monotonic() - started
        assert error["message"] == BUSY_MESSAGE
        assert took < ANSWER_WITHIN
        assert await sync_to_async(ChatMessage.objects.count)() == 0
        # Free again: the same message goes through.
        await alice.send({"type": "chat.send", "text": "Hello"})
        await alice.receive_until("chat.message", timeout=ANSWER_WITHIN)
    finally:
        await close_all(alice)
