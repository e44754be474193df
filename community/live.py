"""The one way services ring the bell on the channel layer, always after commit.

The database is the record; these messages only tell connected clients to look (DESIGN.md).
"""

import hashlib

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id):
    """Every connection of a user joins this group, so revocation can reach all of them."""
    return f"user.{user_id}"


def session_group(session_key):
    """Every connection made with a session joins this group, so ending it reaches them.

    The key is hashed: it is a credential, and group names are stored in Redis.
    """
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def send_after_commit(group, message):
    def send():
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, message)

    # robust: the bell failing (Redis down) must not undo or fail what is already committed;
    # clients catch up by sequence number when they reconnect.
    transaction.on_commit(send, robust=True)


def revoke_user_connections(user_id, reason="revoked"):
    """Close every open WebSocket of a user (erasure, deactivation) once the change is committed."""
    send_after_commit(user_group(user_id), {"type": "connection.revoke", "reason": reason})


def revoke_network_connections(user_id, network_id):
    """Close a user's connections inside one network (removal, leaving)."""
    send_after_commit(
        user_group(user_id), {"type": "connection.revoke_network", "network_id": network_id}
    )


def end_session_connections(session_key):
    """Close every open WebSocket of one session (sign-out, a session ended from the list)."""
    send_after_commit(session_group(session_key), {"type": "connection.end_session"})


def check_session_connections(user_id):
    """Ask every open WebSocket of a user to check its session now (a password change: the
    other sessions are no longer valid, and each connection finds out for itself)."""
    send_after_commit(user_group(user_id), {"type": "connection.check_session"})
