"""Every WebSocket route of the site, one per live thing (DESIGN.md, live layer)."""

from django.urls import path

from community import consumers
from events.routing import websocket_urlpatterns as event_routes
from forums.routing import websocket_urlpatterns as forum_routes

websocket_urlpatterns = [
    path("ws/notifications/", consumers.NotificationConsumer.as_asgi()),
    *forum_routes,
    *event_routes,
]
