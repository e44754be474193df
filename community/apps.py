from django.apps import AppConfig

from confide.protocol import SiteApp


class CommunityConfig(SiteApp, AppConfig):
    name = "community"
    verbose_name = "Community"
    nav = [("Networks", "community:networks")]

    def ready(self):
        from community import logging, signals  # noqa: F401  (logging: the failed sign-in log)

        signals.connect()

    def can_see_notification_target(self, user, target):
        """Notices about a network are shown and sent only while the user may enter it."""
        from community import policies
        from community.models import Network

        if isinstance(target, Network):
            return policies.is_member(user, target) or policies.is_steward(user, target)
        return False

    def network_overview(self, network):
        from community.models import AuditEvent
        from community.overview import by_month

        joined = AuditEvent.objects.filter(network=network, verb="membership.add")
        return [("Members joining, by month", by_month(joined))]
