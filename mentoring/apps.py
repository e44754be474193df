from django.apps import AppConfig

from confide.protocol import SiteApp

NOTICES = {
    "mentoring_mentor_applied": "Someone has offered to be a mentor and waits for approval.",
    "mentoring_mentor_approved": "Your mentor profile has been approved.",
    "mentoring_proposal": "Someone has asked you to be their mentor.",
    "mentoring_proposal_accepted": "A mentor has accepted your mentoring proposal.",
    "mentoring_proposal_declined": "A mentor has answered your mentoring proposal.",
    "mentoring_proposal_expiring": "A mentoring proposal waiting for your answer ends in 2 days.",
    "mentoring_proposal_expired": "A mentoring proposal ended without an answer. "
    "Other suggestions are waiting for you.",
    "mentoring_cohort_proposed": "A mentor has been proposed for your mentoring request.",
    "mentoring_meeting_logged": "A meeting was logged in one of your mentoring relationships.",
    "mentoring_meeting_reminder": "No meeting has been logged in one of your mentoring "
    "relationships for six weeks.",
    "mentoring_relationship_changed": "One of your mentoring relationships has changed.",
}


class MentoringConfig(SiteApp, AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"
    nav = [("Mentoring", "mentoring:home")]

    def ready(self):
        from community import notices

        for kind, sentence in NOTICES.items():
            notices.register(kind, sentence)

    def export_user_data(self, user):
        from mentoring import data

        return data.export_user_data(user)

    def erase_user_data(self, user):
        from mentoring import data

        data.erase_user_data(user)

    def notification_target_querysets(self):
        from mentoring.models import MentoringRelationship, Proposal

        return [
            Proposal.objects.select_related("mentor", "request"),
            MentoringRelationship.objects.select_related("mentor"),
        ]

    def can_see_notification_target(self, user, target):
        from mentoring import policies

        return policies.can_see_notification_target(user, target)
