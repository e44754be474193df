"""Filling gaps once per process: the log rows a connection missed, read once and shared.

Bells from two processes can arrive in either order, and a full channel drops one silently.
A connection that sees number n+2 before n+1 holds it and waits `GAP_WAIT` seconds for the
late bell; if n+1 is still missing it asks here. Every connection of this process missing the
same number of the same session awaits the same read, so 200 people missing one message cost
one database query in each process, not 200 (and not 200 clients asking at once).
"""

import asyncio
import weakref

from channels.db import DatabaseSyncToAsync

from events.live import selectors, services

# A late bell from another process usually arrives within milliseconds; a lost one never does.
GAP_WAIT = 0.2
# How long a read row is kept for connections that notice the same gap a little later.
KEEP_SECONDS = 10.0

# loop -> {(session id, seq): (future of the row or None, expires at)}
_cache = weakref.WeakKeyDictionary()
# loop -> number of database reads made (tests and the benchmark read this)
reads = weakref.WeakKeyDictionary()
_reading = set()  # the running reads, held so they are not collected mid-flight


def reads_here():
    return reads.get(asyncio.get_running_loop(), 0)


async def fetch(session_id, seqs):
    """The bells for these numbers of a session, in order; None for a number with no row."""
    loop = asyncio.get_running_loop()
    cache = _cache.setdefault(loop, {})
    now = loop.time()
    for key in [key for key, (_, expires) in cache.items() if expires < now]:
        del cache[key]
    wanted = [seq for seq in seqs if (session_id, seq) not in cache]
    futures = {seq: loop.create_future() for seq in wanted}
    for seq, future in futures.items():
        cache[(session_id, seq)] = (future, now + KEEP_SECONDS)
    awaited = [cache[(session_id, seq)][0] for seq in seqs]
    if wanted:
        reads[loop] = reads.get(loop, 0) + 1
        # Its own task: a connection that goes away while waiting does not cancel the read
        # the others are waiting for (and each waits through a shield for the same reason).
        task = loop.create_task(_read(cache, session_id, futures))
        _reading.add(task)
        task.add_done_callback(_reading.discard)
    return [await asyncio.shield(future) for future in awaited]


async def _read(cache, session_id, futures):
    try:
        # Not on the process's one shared sync thread, where it would wait behind every
        # queued write while all the connections it serves hold their messages for it.
        rows = await DatabaseSyncToAsync(selectors.logged, thread_sensitive=False)(
            session_id=session_id, seqs=list(futures)
        )
    except Exception as error:  # noqa: BLE001 (handed to every waiter)
        # Not cached: the next gap asks again (the database may be back by then).
        for seq, future in futures.items():
            cache.pop((session_id, seq), None)
            future.set_exception(error)
            future.exception()  # retrieved, so no warning if no one waits any more
        return
    found = {row["seq"]: services.bell_from_row(row) for row in rows}
    for seq, future in futures.items():
        future.set_result(found.get(seq))
