from django.urls import path

from forums import consumers

websocket_urlpatterns = [
    path("ws/forums/topics/<int:topic_id>/", consumers.TopicConsumer.as_asgi()),
]
