"""Who may see and do what in board assurance (DESIGN.md: policies.py).

A board is an organisation's board: the signed-in people whose profile names that organisation
and a board role. Its pages are for its members only; everyone else gets 404, as for a missing
board. The chair, or a board member who is a steward on Confide ("a steward for that
organisation"), runs rounds and the plan. No answer from one person is shown to anyone else:
pages read a board's `BoardResult`, which exists only once a round closed with at least k answers.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import timezone

from assurance.models import Action, BoardResult, Milestone, Round
from community import policies as community
from community.models import BoardRole, User


def min_responses():
    """k: the fewest answers (for a board) and the fewest boards (for a peer group) shown."""
    return max(int(getattr(settings, "ASSURANCE_MIN_RESPONSES", 5)), 1)


def _profile(user):
    """The user's profile, read once and kept on the user object (the header reuses it)."""
    if not community._signed_in(user):
        return None
    try:
        return user.profile
    except ObjectDoesNotExist:
        return None


def board_of(user):
    """The organisation id of the user's board, or None."""
    profile = _profile(user)
    if profile is None or not profile.organisation_id or not profile.board_role:
        return None
    return profile.organisation_id


def is_board_member(user, organisation_id):
    return organisation_id is not None and board_of(user) == organisation_id


def can_run_rounds(user, organisation_id):
    """Open and close rounds, and turn results into actions: the chair or a steward member."""
    if not is_board_member(user, organisation_id):
        return False
    return _profile(user).board_role == BoardRole.CHAIR or community.is_steward_anywhere(user)


def board_members(organisation_id):
    return (
        User.objects.filter(
            profile__organisation_id=organisation_id,
            is_active=True,
            erased_at__isnull=True,
        )
        .exclude(profile__board_role="")
        .select_related("profile")
        .order_by("profile__display_name", "pk")
    )


# Rounds ---------------------------------------------------------------------------------------


def board_rounds(user):
    organisation_id = board_of(user)
    if organisation_id is None:
        return Round.objects.none()
    return Round.objects.filter(organisation_id=organisation_id).select_related("result")


def get_round_for_board_member(user, pk):
    """The round, if it is the user's board's; 404 for missing and forbidden alike."""
    round_ = Round.objects.select_related("organisation").filter(pk=pk).first()
    if round_ is None or not is_board_member(user, round_.organisation_id):
        raise Http404("No such round.")
    return round_


def can_answer(user, round_):
    """Until the closing date, even if the hourly close has not run yet."""
    return (
        round_.is_open
        and round_.closes_at > timezone.now()
        and is_board_member(user, round_.organisation_id)
    )


def can_close_round(user, round_):
    return round_.is_open and can_run_rounds(user, round_.organisation_id)


def results_for(user, round_):
    """The board's results for a round: only the snapshot, only for its members, else None."""
    if round_.is_open or not is_board_member(user, round_.organisation_id):
        return None
    return BoardResult.objects.filter(round=round_).first()


def own_response(user, round_):
    """The user's own answers: the only person who ever sees them."""
    return round_.responses.filter(user_id=user.pk).first()


# Action plan ----------------------------------------------------------------------------------


def can_plan(user, round_):
    """Turn a closed round's areas into actions: its results must exist (k reached)."""
    return (
        not round_.is_open
        and can_run_rounds(user, round_.organisation_id)
        and BoardResult.objects.filter(round=round_).exists()
    )


def get_action_for_board_member(user, pk):
    action = Action.objects.select_related("round", "owner__profile").filter(pk=pk).first()
    if action is None or not is_board_member(user, action.organisation_id):
        raise Http404("No such action.")
    return action


def can_update_action(user, action):
    """Its owner, or whoever runs the board's rounds."""
    return is_board_member(user, action.organisation_id) and (
        action.owner_id == user.pk or can_run_rounds(user, action.organisation_id)
    )


def board_actions(user, organisation_id):
    if not is_board_member(user, organisation_id):
        return Action.objects.none()
    return Action.objects.filter(organisation_id=organisation_id)


def can_see_notification_target(user, target):
    """Notices about a round or an action are shown and sent only while the user is on its board."""
    if isinstance(target, (Round, Action)):
        return is_board_member(user, target.organisation_id)
    if isinstance(target, Milestone):
        return is_board_member(user, target.action.organisation_id)
    return False


def overdue_milestones(now=None):
    """Milestones past due, not done and not yet notified (for the reminder command)."""
    today = timezone.localdate(now)
    return Milestone.objects.filter(
        done_at__isnull=True, due_on__lt=today, overdue_notified_at__isnull=True
    ).select_related("action__owner")


# Suggestions, each through the owning app's visibility policy ---------------------------------


def suggested_case_studies(user, practice_area, limit=3):
    from forums import policies as forums

    return (
        forums.library_topics(user)
        .filter(areas__area=practice_area)
        .order_by("-helpful_count", "-created_at")
        .distinct()[:limit]
    )


def suggested_mentors(user, practice_area, limit=3):
    """Approved mentors listed in the directory (their consent) whose expertise covers the area."""
    from mentoring import policies as mentoring

    return (
        mentoring.visible_mentors(user)
        .filter(expertise__icontains=f'"{practice_area}"')
        .order_by("user__profile__display_name")[:limit]
    )


def suggested_events(user, words, limit=3):
    from django.db.models import Q

    from events import policies as events

    if not words:
        return []
    about = Q()
    for word in words:
        about |= Q(title__icontains=word) | Q(description__icontains=word)
    return events.upcoming_events_to_attend(user).filter(about).order_by("starts_at")[:limit]
