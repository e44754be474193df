"""What board assurance holds about one person: their own answers, and nothing of anyone else.

The board's shared answers, results and plan are the board's, not the person's, so an export
carries only the questions they last edited (as a marker, not the board's text) and the actions
they own by title.
"""

from assurance.models import Action, BoardAnswer, Response


def export_user_data(user):
    return {
        "my_answers": [
            {
                "round": response.round_id,
                "overall": response.overall,
                "progress": response.progress,
                "created_at": response.created_at,
                "updated_at": response.updated_at,
            }
            for response in Response.objects.filter(user=user).order_by("round_id")
        ],
        "board_questions_i_last_edited": list(
            BoardAnswer.objects.filter(updated_by=user).values("round_id", "question", "updated_at")
        ),
        "actions_i_own": list(
            Action.objects.filter(owner=user).values("id", "title", "status", "updated_at")
        ),
    }


def erase_user_data(user):
    """Their answers go. Closed rounds keep their results: those were fixed at close and name
    no one. Actions and shared answers stay with the board, unowned."""
    Response.objects.filter(user=user).delete()
    BoardAnswer.objects.filter(updated_by=user).update(updated_by=None)
    Action.objects.filter(owner=user).update(owner=None)
