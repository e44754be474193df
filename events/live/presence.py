"""Presence, batched per process: who is in the room, without a frame per arrival per person.

Each join or leave used to be told to everyone at once, so N people arriving cost N*N frames.
Now a change is noted in the process that saw it (the one serving that connection) and the
first change in a quiet group starts a timer: `FLUSH_SECONDS` later one `presence` frame with
every change noted meanwhile goes to the group. A crowd of N arriving within a window costs
each person one frame per window per process, and the changes are coalesced per person (a
join then a leave inside one window is sent as the leave).

Presence is the only state kept only in the channel layer (DESIGN.md, live layer); the
snapshot rebuilds the list from the `Attendance` rows, so a lost frame heals on reconnect.
"""

import asyncio
import json
import logging
import weakref

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5

# Event loops that serve live connections (daphne's one loop; a test's loop). A change noted
# from any other loop (a service run from a plain sync call) is sent at once: nothing there
# would ever flush it.
_serving = weakref.WeakSet()
# loop -> {group: {user id: person dict (joined) or None (left)}}
_pending = weakref.WeakKeyDictionary()


def flush_seconds():
    return getattr(settings, "LIVE_PRESENCE_FLUSH_SECONDS", FLUSH_SECONDS)


def serve():
    """Called by a live connection on its loop: changes noted on this loop are batched."""
    _serving.add(asyncio.get_running_loop())


def note(group, *, joined=None, left=None):
    """Record one person's join (a person dict with id) or leave (a user id); sync callers.

    Called after commit from a service running in a consumer's worker thread: async_to_sync
    runs `_note` on that consumer's loop, where the batch lives.
    """
    async_to_sync(_note)(group, joined, left)


async def _note(group, joined, left):
    loop = asyncio.get_running_loop()
    changes = {joined["id"]: joined} if joined is not None else {left: None}
    if loop not in _serving:
        await _send(group, changes)
        return
    groups = _pending.setdefault(loop, {})
    if group not in groups:
        groups[group] = {}
        loop.call_later(flush_seconds(), lambda: loop.create_task(_flush(loop, group)))
    groups[group].update(changes)


async def _flush(loop, group):
    changes = _pending.get(loop, {}).pop(group, None)
    if not changes:
        return
    try:
        await _send(group, changes)
    except Exception:  # noqa: BLE001 (Redis gone): the next snapshot rebuilds the list
        logger.warning("presence frame for %s not sent", group, exc_info=True)


async def _send(group, changes):
    frame = {
        "type": "presence",
        "joined": [person for person in changes.values() if person is not None],
        "left": [user_id for user_id, person in changes.items() if person is None],
    }
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(
            group, {"type": "live.presence", "text": json.dumps(frame, separators=(",", ":"))}
        )
