"""What the live sessions hold about one person: their export (DESIGN.md rule 9).

Registered through the site's declared protocol (LiveConfig in apps.py). Erasure needs no
hook of its own: chat lines and questions are purged with the event's retention period, and
the person's name leaves with their profile, so what they wrote shows "Former member".
"""

from events.live.models import Attendance, ChatMessage, PollVote, Question


def export_user_data(user):
    """What a person wrote and their attendance."""
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
