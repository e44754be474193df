import json

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from community import live, policies
from community.middleware import must_enrol
from community.outage import DATABASE_DOWN, logger

CLOSE_TRY_AGAIN = 4503  # like HTTP 503: live.js retries anything outside 4400-4499
CLOSE_UNAUTHENTICATED = 4401
# Signed out, the session ended from the session list, or a password change elsewhere: the same
# code as a socket opened without a session, which live.js does not retry.
CLOSE_SESSION_ENDED = CLOSE_UNAUTHENTICATED
CLOSE_REVOKED = 4403
CLOSE_NOT_FOUND = 4404
MAX_FRAME_BYTES = 8 * 1024
UNAVAILABLE = (
    "Confide is briefly unavailable, so that was not done. "
    "Please try again when the page shows Connected."
)


class UserConnectionConsumer(AsyncJsonWebsocketConsumer):
    """Base for every consumer: a signed-in user, reachable through their user group and
    their session's group, whichever daphne process holds the connection.

    Subclasses inside a network set `network_id`, so removal from it closes them at once.
    Before every incoming message is acted on, the session is checked again (the session part
    of the one gate, policies.session_is_current); ending a session rings its group, and a
    password change rings the user's group to make each connection check.
    """

    network_id = None
    session_key = None

    async def dispatch(self, message):
        """A database outage mid-handler: say what was not done, then let the client reconnect.

        Without this the consumer dies with 1011 and the person is not told their message was
        dropped; with it they see an error, the client shows "reconnecting" and retries.
        """
        try:
            await super().dispatch(message)
        except DATABASE_DOWN as error:
            logger.error("database unavailable on %s: %s", message["type"], type(error).__name__)
            if message["type"] == "websocket.disconnect":
                raise StopConsumer() from None
            if message["type"] == "websocket.receive":
                await self.send_error(UNAVAILABLE, _parsed(message.get("text")))
            await self.close(code=CLOSE_TRY_AGAIN)

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
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        self.user_group = live.user_group(self.user.pk)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        if self.session_key:
            self.session_group = live.session_group(self.session_key)
            await self.channel_layer.group_add(self.session_group, self.channel_name)
        # Checked after joining the groups, so a sign-out between the handshake and now is
        # seen either here or by its bell.
        if not await self.session_still_current():
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.accept_connection()

    async def accept_connection(self):
        await self.accept()

    async def session_still_current(self):
        return await database_sync_to_async(self.session_is_current)()

    def session_is_current(self):
        """Database side, for subclasses that check before each send too."""
        return policies.session_is_current(self.user, self.session_key)

    async def disconnect(self, code):
        if getattr(self, "user_group", None):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)
        if getattr(self, "session_group", None):
            await self.channel_layer.group_discard(self.session_group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Every frame: at most 8 KiB of JSON, an object with a string `type`, or an error frame."""
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            await self.send_error("That message is too large (at most 8 KiB).")
            return
        try:
            content = json.loads(raw)
        except (ValueError, RecursionError):
            await self.send_error("That message is not valid JSON.")
            return
        if not isinstance(content, dict):
            await self.send_error("A message must be a JSON object.")
            return
        if not isinstance(content.get("type"), str):
            await self.send_error("Unknown message type.")
            return
        if not await self.session_still_current():
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, message, content=None):
        """An error frame; `request` names the message it answers, so the page can restore it."""
        frame = {"type": "error", "message": message}
        if isinstance(content, dict) and isinstance(content.get("type"), str):
            frame["request"] = content["type"][:40]
        await self.send_json(frame)

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

    async def connection_end_session(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    async def connection_check_session(self, event):
        if not await self.session_still_current():
            await self.close(code=CLOSE_SESSION_ENDED)


def is_sequence_number(value):
    """A whole number a client may name as the last message it saw."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def is_storable_text(value, limit):
    """Text the database can keep as written: PostgreSQL refuses NUL, UTF-8 lone surrogates."""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parsed(text):
    try:
        return json.loads(text or "")
    except (ValueError, RecursionError):
        return None


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
