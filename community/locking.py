"""One way to lock a scarce row (an event's seats, a live session, a mentor's places).

pretix's rule (CONVENTIONS.md, "Scarce things are locked once, late"): lock the row inside the
action's transaction with `select_for_update()`, and never wait for it without limit. On
PostgreSQL the wait is bounded with `SET LOCAL lock_timeout`; when it runs out, the person is
told that it is busy and to try again (the app's own error, which its views show as a form error
or message and its consumers as an error frame), instead of a hung request or the 503 outage
page that a database error would otherwise give. SQLite locks the whole database on write and
has no row locks, so there the query simply runs.
"""

from django.conf import settings
from django.db import OperationalError, connections

BUSY_MESSAGE = "Many people are doing this at the same moment. Please try again."
# PostgreSQL's SQLSTATE for lock_not_available, which a lock_timeout raises.
LOCK_NOT_AVAILABLE = "55P03"


def lock_timeout_ms():
    return int(getattr(settings, "LOCK_TIMEOUT_MS", 3000))


def is_lock_timeout(error):
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE


def lock_one(queryset, *, busy, of=(), missing_ok=False):
    """The one row of `queryset`, locked until the surrounding transaction ends.

    `busy` is the app's error class, raised with BUSY_MESSAGE when the row stays locked by
    someone else past LOCK_TIMEOUT_MS. `of` is passed to select_for_update (lock only the
    main table when the query joins others). With `missing_ok`, None when there is no row;
    otherwise the model's DoesNotExist, as `get()` raises.
    """
    connection = connections[queryset.db]
    if not connection.in_atomic_block:
        raise RuntimeError("lock_one must run inside transaction.atomic().")
    locked = queryset.select_for_update(of=of)
    if connection.vendor != "postgresql":
        return locked.first() if missing_ok else locked.get()
    with connection.cursor() as cursor:
        # SET takes no bound parameters; the value is an int we made ourselves. LOCAL: it ends
        # with the action's transaction, so every later wait in the action is bounded too.
        cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout_ms()}ms'")
    try:
        return locked.first() if missing_ok else locked.get()
    except OperationalError as error:
        # The transaction is now aborted; the app's error leaves the atomic block, which rolls
        # it back, and the person reads why.
        if is_lock_timeout(error):
            raise busy(BUSY_MESSAGE) from error
        raise
