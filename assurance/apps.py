from django.apps import AppConfig

from confide.protocol import SiteApp

NOTICES = {
    "assurance_round_opened": "Your board has opened a self-assessment round for you to answer.",
    "assurance_round_closed": "A board self-assessment round has closed.",
    "assurance_action_owner": "You have been named the owner of an action in your board's plan.",
    "assurance_milestone_overdue": "A milestone you own in your board's action plan is overdue.",
}


class AssuranceConfig(SiteApp, AppConfig):
    name = "assurance"
    verbose_name = "Board assurance"
    nav = [("Assurance", "assurance:home")]

    def ready(self):
        from community import notices

        for kind, sentence in NOTICES.items():
            notices.register(kind, sentence)

    def export_user_data(self, user):
        from assurance import data

        return data.export_user_data(user)

    def erase_user_data(self, user):
        from assurance import data

        data.erase_user_data(user)

    def notification_target_querysets(self):
        from assurance.models import Action, Round

        return [Round.objects.all(), Action.objects.all()]

    def can_see_notification_target(self, user, target):
        from assurance import policies

        return policies.can_see_notification_target(user, target)
