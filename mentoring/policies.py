"""Who may do what in mentoring, and what each person may see.

Mentoring is open to members of any network. A steward of any network is a steward for
mentoring: they approve mentors and run cohort matching, and see figures and statuses, never
what is said inside a relationship, private notes or who gave which feedback.
"""

from django.db.models import Q
from django.http import Http404

from community import policies as community
from mentoring.models import (
    MentoringRelationship,
    MentoringRequest,
    MentorProfile,
    Proposal,
)


def _signed_in(user):
    return community._signed_in(user)


def is_participant(user):
    """A member of any network (stewards count): may use mentoring."""
    if not _signed_in(user):
        return False
    cached = getattr(user, "_confide_mentoring_participant", None)
    if cached is None:
        cached = community.member_networks(user).exists() or is_mentoring_steward(user)
        user._confide_mentoring_participant = cached
    return cached


def is_mentoring_steward(user):
    if not _signed_in(user):
        return False
    cached = getattr(user, "_confide_mentoring_steward", None)
    if cached is None:
        cached = community.is_steward_anywhere(user)
        user._confide_mentoring_steward = cached
    return cached


def require_participant(user):
    if not is_participant(user):
        raise Http404("No such page.")


def require_steward(user):
    if not is_mentoring_steward(user):
        raise Http404("No such page.")


# Mentors -------------------------------------------------------------------------------------


def visible_mentors(user):
    """The directory: approved mentors, for anyone who may use mentoring."""
    if not is_participant(user):
        return MentorProfile.objects.none()
    return MentorProfile.objects.filter(
        status=MentorProfile.Status.APPROVED, user__is_active=True, user__erased_at__isnull=True
    ).select_related("user__profile__organisation")


def get_mentor_for_viewing(user, pk):
    profile = MentorProfile.objects.select_related("user__profile__organisation").filter(pk=pk)
    profile = profile.first()
    if profile is None or not _signed_in(user):
        raise Http404("No such mentor.")
    if profile.user_id == user.pk or is_mentoring_steward(user):
        return profile
    if is_participant(user) and profile.status == MentorProfile.Status.APPROVED:
        if profile.user.is_active and not profile.user.erased_at:
            return profile
    raise Http404("No such mentor.")


def is_own_mentor_profile(user, profile):
    return _signed_in(user) and profile.user_id == user.pk


def can_be_mentor(user):
    return is_participant(user)


def can_approve_mentor(user, profile):
    return is_mentoring_steward(user) and profile.user_id != user.pk


def mentors_awaiting_approval(user):
    if not is_mentoring_steward(user):
        return MentorProfile.objects.none()
    return MentorProfile.objects.filter(status=MentorProfile.Status.APPLIED).select_related(
        "user__profile__organisation"
    )


# Requests and proposals ---------------------------------------------------------------------


def can_request_mentor(user):
    return is_participant(user)


def is_own_request(user, request):
    """The mentee who asked: only they withdraw it, see suggestions and choose a mentor."""
    return _signed_in(user) and request.mentee_id == user.pk


def is_asked_mentor(user, proposal):
    """The mentor a proposal asks: only they answer it."""
    return _signed_in(user) and proposal.mentor.user_id == user.pk


def get_request_for_mentee(user, pk):
    request = MentoringRequest.objects.filter(pk=pk, mentee_id=getattr(user, "pk", None)).first()
    if request is None or not is_participant(user):
        raise Http404("No such request.")
    return request


def get_proposal_for_mentor(user, pk):
    proposal = (
        Proposal.objects.select_related("request__mentee__profile__organisation", "mentor")
        .filter(pk=pk, mentor__user_id=getattr(user, "pk", None))
        .first()
    )
    if proposal is None or not _signed_in(user):
        raise Http404("No such proposal.")
    return proposal


def open_requests(user):
    """For stewards: requests waiting for a mentor (goals are not shown to them)."""
    if not is_mentoring_steward(user):
        return MentoringRequest.objects.none()
    return MentoringRequest.objects.filter(
        status__in=MentoringRequest.OPEN_STATUSES, mentee__erased_at__isnull=True
    ).select_related("mentee__profile__organisation")


def can_see_decline_reasons(user):
    return is_mentoring_steward(user)


# Relationships ------------------------------------------------------------------------------


def _party_filter(user):
    return Q(mentee_id=user.pk) | Q(mentor__user_id=user.pk)


def my_relationships(user):
    if not _signed_in(user):
        return MentoringRelationship.objects.none()
    return MentoringRelationship.objects.filter(_party_filter(user)).select_related(
        "mentor__user__profile", "mentee__profile"
    )


def get_relationship_for_party(user, pk):
    """Only the two people; stewards see relationships only as statuses in figures."""
    if not _signed_in(user):
        raise Http404("No such relationship.")
    relationship = my_relationships(user).filter(pk=pk).first()
    if relationship is None:
        raise Http404("No such relationship.")
    return relationship


def can_change_relationship(user, relationship):
    return relationship.is_current and (
        relationship.mentee_id == user.pk or relationship.mentor.user_id == user.pk
    )


# Notifications ------------------------------------------------------------------------------


def can_see_notification_target(user, target):
    if not _signed_in(user):
        return False
    if isinstance(target, MentorProfile):
        return target.user_id == user.pk or is_mentoring_steward(user)
    if isinstance(target, MentoringRequest):
        return target.mentee_id == user.pk
    if isinstance(target, Proposal):
        return target.mentor.user_id == user.pk or target.request.mentee_id == user.pk
    if isinstance(target, MentoringRelationship):
        return target.mentee_id == user.pk or target.mentor.user_id == user.pk
    return False
