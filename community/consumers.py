import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from community import live
from community.middleware import must_enrol

CLOSE_UNAUTHENTICATED = 4401
CLOSE_REVOKED = 4403
CLOSE_NOT_FOUND = 4404
MAX_FRAME_BYTES = 8 * 1024


class UserConnectionConsumer(AsyncJsonWebsocketConsumer):
    """Base for every consumer: a signed-in user, reachable through their user group.

    Subclasses inside a network set `network_id`, so removal from it closes them at once.
    """

    network_id = None

    async def connect(self):
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        # The two-factor rule holds for sockets as for pages: enrol first (DESIGN.md rule 10).
        # Accepted, then closed with a code, so live.js on the enrolment page stops quietly.
        if await database_sync_to_async(must_enrol)(self.user):
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_group = live.user_group(self.user.pk)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept_connection()

    async def accept_connection(self):
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "user_group", None):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Every frame: at most 8 KiB of JSON, an object with a string `type`, or an error frame."""
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            await self.send_error("That message is too long.")
            return
        try:
            content = json.loads(raw)
        except (ValueError, RecursionError):
            await self.send_error("That message could not be read.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("That message has no type.")
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, message):
        await self.send_json({"type": "error", "message": message})

    # Every connection hears its user's group; a bell meant for another kind of connection
    # is ignored here rather than crashing it (Channels closes a consumer on a missing handler).
    async def notification_new(self, event):
        pass

    async def live_revoke(self, event):
        pass

    async def connection_revoke(self, event):
        await self.close(code=CLOSE_REVOKED)

    async def connection_revoke_network(self, event):
        if self.network_id is not None and event["network_id"] == self.network_id:
            await self.close(code=CLOSE_REVOKED)


class NotificationConsumer(UserConnectionConsumer):
    """Pushes the unread count to the header badge; the list itself is a page."""

    async def accept_connection(self):
        await self.accept()
        await self.send_unread_count()

    async def receive_json(self, content, **kwargs):
        await self.send_error("This connection only listens.")

    async def notification_new(self, event):
        await self.send_unread_count()

    async def send_unread_count(self):
        count = await database_sync_to_async(self.unread_count)()
        await self.send_json({"type": "unread", "count": count})

    def unread_count(self):
        return self.user.notifications.filter(read_at__isnull=True).count()
