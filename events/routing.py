from django.urls import path

from events.live.consumers import LiveSessionConsumer

websocket_urlpatterns = [
    path("ws/events/<int:event_id>/live/", LiveSessionConsumer.as_asgi()),
]
