from django.apps import AppConfig

from confide.protocol import SiteApp


class LiveConfig(SiteApp, AppConfig):
    """Live facilitated sessions: the room where an event's facilitation happens."""

    name = "events.live"
    label = "live"
    verbose_name = "Live sessions"

    def export_user_data(self, user):
        from events.live import data

        return data.export_user_data(user)
