"""A bare relay on the same channel layer, for bench/live_fanout.py only: no auth, no database.

Every connection joins one group; every text frame is sent to the group and forwarded as is.
Run by the bench as `daphne bench.live_relay:application`.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class Relay(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add("bench.relay", self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard("bench.relay", self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send("bench.relay", {"type": "relay", "text": text_data})

    async def relay(self, message):
        await self.send(text_data=message["text"])


async def _no_http(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


application = ProtocolTypeRouter(
    {"http": _no_http, "websocket": URLRouter([path("ws/relay/", Relay.as_asgi())])}
)
