"""The live topic page: new, edited, hidden and deleted posts, resumable by sequence number."""

from channels.db import database_sync_to_async
from django.http import Http404

from community.consumers import (
    CLOSE_NOT_FOUND,
    CLOSE_REVOKED,
    CLOSE_SESSION_ENDED,
    UserConnectionConsumer,
    is_sequence_number,
)
from forums import policies
from forums.models import Post, Topic
from forums.services import topic_group

REPLAY_LIMIT = 200
# The message types this socket answers; any other gets an error frame. The access sweep derives
# its table from this set (tests/forums/test_access_ws.py), so a new type cannot go untested.
MESSAGE_TYPES = frozenset({"resume"})


class TopicConsumer(UserConnectionConsumer):
    """Joins the topic's group; every post it sends is checked and rendered for this user."""

    async def accept_connection(self):
        self.topic_id = self.scope["url_route"]["kwargs"]["topic_id"]
        network_id = await database_sync_to_async(self._load)()
        if network_id is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.network_id = network_id
        self.group = topic_group(self.topic_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    def _load(self):
        try:
            topic = policies.get_topic_for_member(self.user, self.topic_id)
        except Http404:
            return None
        return topic.forum.network_id

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await super().disconnect(code)

    async def receive_json(self, content, **kwargs):
        if content["type"] not in MESSAGE_TYPES:  # the base has checked it is an object with a type
            await self.send_error("Unknown message type.")
            return
        last_seq = content.get("last_seq", 0)
        if not is_sequence_number(last_seq):
            await self.send_error("last_seq must be a whole number, 0 or more.")
            return
        messages = await database_sync_to_async(self._replay)(last_seq)
        if isinstance(messages, int):
            await self.close(code=messages)
            return
        for message in messages:
            await self.send_json(message)

    async def forum_post(self, event):
        message = await database_sync_to_async(self._render_one)(event["post_id"])
        if isinstance(message, int):
            await self.close(code=message)
        elif message:
            await self.send_json(message)

    # Database side ------------------------------------------------------------------------

    def _topic_if_allowed(self):
        """The topic, or the close code: permissions, the agreement and the session change
        during a connection, so the one gate (through can_view_topic) and the session are
        asked again, fresh, before every send, not only when a bell rings."""
        if not self.session_is_current():
            return CLOSE_SESSION_ENDED
        policies.forget(self.user)
        topic = Topic.objects.select_related("forum__network").filter(pk=self.topic_id).first()
        if topic is None or not policies.can_view_topic(self.user, topic):
            return CLOSE_REVOKED
        return topic

    def _message(self, topic, post, can_moderate):
        from forums.views import render_post

        return {
            "type": "post",
            "seq": post.seq,
            "post_id": post.pk,
            "html": render_post(self.user, topic, post, can_moderate),
        }

    def _render_one(self, post_id):
        topic = self._topic_if_allowed()
        if isinstance(topic, int):
            return topic
        post = (
            Post.objects.select_related("author__profile__organisation")
            .filter(pk=post_id, topic=topic)
            .first()
        )
        if post is None:
            return {}
        return self._message(topic, post, policies.can_moderate_forum(self.user, topic.forum))

    def _replay(self, last_seq):
        topic = self._topic_if_allowed()
        if isinstance(topic, int):
            return topic
        can_moderate = policies.can_moderate_forum(self.user, topic.forum)
        posts = (
            Post.objects.filter(topic=topic, seq__gt=last_seq)
            .select_related("author__profile__organisation")
            .order_by("seq")[:REPLAY_LIMIT]
        )
        # An edited post takes a new number and leaves a hole where it was; a "snapshot" line
        # tells the client that everything up to a number is accounted for, so holes are not gaps.
        messages, previous = [], last_seq
        for post in posts:
            if post.seq > previous + 1:
                messages.append({"type": "snapshot", "seq": post.seq - 1})
            messages.append(self._message(topic, post, can_moderate))
            previous = post.seq
        if topic.last_seq > previous and len(messages) < REPLAY_LIMIT:
            messages.append({"type": "snapshot", "seq": topic.last_seq})
        return messages
