from django.apps import AppConfig

from confide.protocol import SiteApp


class EventsConfig(SiteApp, AppConfig):
    name = "events"
    verbose_name = "Events"
    nav = [("Events", "events:list")]

    def ready(self):
        from community import notices

        notices.register("event_seat_confirmed", "A place has become free: you now have a seat.")
        notices.register("event_changed", "An event you registered for has changed.")
        notices.register("event_cancelled", "An event you registered for has been cancelled.")
        notices.register("event_request_answered", "Your request to attend an event was answered.")
        notices.register("event_approval_needed", "Someone has asked to attend an event you run.")
        notices.register("event_facilitator", "You have been asked to facilitate an event.")
        notices.register("event_reminder", "An event you registered for starts within a day.")

    def two_factor_roles(self, user):
        from events import policies

        return [policies.facilitates_anything(user)]

    def network_section(self, request, network):
        from events import views

        return views.network_section(request, network)

    def export_user_data(self, user):
        from events import data

        return data.export_user_data(user)

    def erase_user_data(self, user):
        from events import data

        data.erase_user_data(user)

    def notification_target_querysets(self):
        from events.models import Registration

        return [Registration.objects.select_related("event")]

    def can_see_notification_target(self, user, target):
        from events import policies

        return policies.can_see_notification_target(user, target)

    def network_overview(self, network):
        from community.overview import by_month
        from events.models import Registration

        attended = Registration.objects.filter(event__networks=network, attended=True)
        return [("Event attendance, by month", by_month(attended, field="event__starts_at"))]
