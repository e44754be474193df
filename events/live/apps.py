from django.apps import AppConfig

from confide.protocol import SiteApp


class LiveConfig(SiteApp, AppConfig):
    """Live facilitated sessions: the room where an event's facilitation happens."""

    name = "events.live"
    label = "live"
    verbose_name = "Live sessions"

    def export_user_data(self, user):
        """What a person wrote and their attendance (community.services.export_user_data)."""
        from events.live.models import Attendance, ChatMessage, PollVote, Question

        return {
            "chat": list(
                ChatMessage.objects.filter(author=user).values(
                    "session__event__title", "text", "created_at", "hidden"
                )
            ),
            "questions": list(
                Question.objects.filter(author=user).values(
                    "session__event__title", "text", "anonymous", "created_at"
                )
            ),
            "attendance": list(
                Attendance.objects.filter(user=user).values(
                    "session__event__title", "first_joined_at", "last_left_at", "seconds_present"
                )
            ),
            "poll_votes": list(
                PollVote.objects.filter(user=user).values("poll__question", "option__label")
            ),
        }
