from django.apps import AppConfig


class LiveConfig(AppConfig):
    """Live facilitated sessions: the room where an event's facilitation happens."""

    name = "events.live"
    label = "live"
    verbose_name = "Live sessions"
