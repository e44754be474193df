"""The one way services ring the bell on the channel layer, always after commit.

The database is the record; these messages only tell connected clients to look (DESIGN.md).
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id):
    """Every connection of a user joins this group, so revocation can reach all of them."""
    return f"user.{user_id}"


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
