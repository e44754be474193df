"""Every action that changes mentoring's state: one function per verb.

Each checks the policy, writes inside a transaction, audits, and tells people through
community.services.notify (content-free sentences registered in MentoringConfig.ready()).
A mentor's places are taken under a row lock on their profile, with a database constraint
(active_mentees <= capacity) as the last line of defence.
"""

import logging
import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from community import policies as community_policies
from community.locking import lock_one
from community.models import BoardRole, OrganisationKind, PracticeArea, User
from community.services import CommunityError, audit, notify
from community.text import render_markdown
from mentoring import matching, policies
from mentoring.models import (
    MAX_CAPACITY,
    MAX_FOCUS_AREAS,
    MAX_OPEN_PER_MENTEE,
    EndFeedback,
    Format,
    Goal,
    Meeting,
    MentoringRelationship,
    MentoringRequest,
    MentorProfile,
    PrivateNote,
    Proposal,
    reason_labels,
)

logger = logging.getLogger(__name__)

EXPIRY_WARNING = timedelta(days=2)
MEETING_GAP = timedelta(weeks=6)
FEEDBACK_MIN_ANSWERS = 5


class MentoringError(CommunityError):
    """A refusal a person can read."""


def _lock_mentor(profiles, missing_ok=False):
    """A mentor's row holds their places: every change to them queues here, with a time limit
    whose end is "busy, try again" (a MentoringError), not a hung page or the outage page."""
    return lock_one(profiles, busy=MentoringError, missing_ok=missing_ok)


def _codes(values, choices, limit=None):
    allowed = set(choices.values)
    out = list(dict.fromkeys(v for v in values if v in allowed))
    if len(out) != len(list(values)):
        raise MentoringError("Choose from the options offered.")
    return out[:limit] if limit else out


def _url(name, *args):
    return reverse(f"mentoring:{name}", args=args)


# Mentor profiles -----------------------------------------------------------------------------


@transaction.atomic
def save_mentor_profile(
    *,
    actor,
    expertise,
    roles_held,
    organisation_kinds,
    region,
    formats,
    capacity,
    lived_experience="",
    lived_experience_consent=False,
    bio="",
):
    """Offer to mentor (waits for a steward's approval) or edit one's own mentor profile."""
    if not policies.can_be_mentor(actor):
        raise MentoringError("Mentoring is open to members of a network.")
    if not 1 <= int(capacity) <= MAX_CAPACITY:
        raise MentoringError(f"Choose between 1 and {MAX_CAPACITY} mentees.")
    profile = _lock_mentor(MentorProfile.objects.filter(user=actor), missing_ok=True)
    created = profile is None
    if created:
        profile = MentorProfile(user=actor)
    elif int(capacity) < profile.active_mentees:
        raise MentoringError(
            f"You mentor {profile.active_mentees} people now; capacity cannot be lower than "
            "that. End or finish a relationship first."
        )
    profile.expertise = _codes(expertise, PracticeArea)
    profile.roles_held = _codes(roles_held, BoardRole)
    profile.organisation_kinds = _codes(organisation_kinds, OrganisationKind)
    profile.region = region
    profile.formats = _codes(formats, Format)
    profile.capacity = int(capacity)
    profile.lived_experience = lived_experience.strip()
    # Consent without a statement means nothing; a statement without consent is not matched.
    profile.lived_experience_consent = bool(lived_experience_consent and profile.lived_experience)
    profile.bio = bio
    profile.bio_html = render_markdown(bio)
    if profile.status == MentorProfile.Status.RETIRED:
        profile.status = MentorProfile.Status.APPLIED
    profile.save()
    audit(
        actor=actor,
        verb="mentor.apply" if created else "mentor.update",
        target=profile,
        subject=actor,
    )
    if created:
        for steward in community_policies.stewards_of_members_networks(actor):
            notify(
                user=steward,
                kind="mentoring_mentor_applied",
                url=_url("steward_mentors"),
                target=profile,
            )
    return profile


@transaction.atomic
def approve_mentor(*, actor, profile):
    profile = _lock_mentor(MentorProfile.objects.filter(pk=profile.pk))
    if not policies.can_approve_mentor(actor, profile):
        raise MentoringError("Only a steward, and not the mentor themselves, can approve.")
    if profile.status != MentorProfile.Status.APPLIED:
        raise MentoringError("This mentor is not waiting for approval.")
    profile.status = MentorProfile.Status.APPROVED
    profile.approved_at = timezone.now()
    profile.save(update_fields=["status", "approved_at"])
    audit(actor=actor, verb="mentor.approve", target=profile, subject=profile.user)
    notify(user=profile.user, kind="mentoring_mentor_approved", url=_url("home"), target=profile)
    return profile


@transaction.atomic
def set_mentor_availability(*, actor, status):
    """A mentor pauses (hidden from the directory and matching), resumes or retires."""
    profile = _lock_mentor(MentorProfile.objects.filter(user=actor), missing_ok=True)
    if profile is None:
        raise MentoringError("You have no mentor profile.")
    allowed = {
        MentorProfile.Status.PAUSED: {MentorProfile.Status.APPROVED},
        MentorProfile.Status.APPROVED: {MentorProfile.Status.PAUSED},
        MentorProfile.Status.RETIRED: {
            MentorProfile.Status.APPLIED,
            MentorProfile.Status.APPROVED,
            MentorProfile.Status.PAUSED,
        },
    }
    if profile.status not in allowed.get(status, set()):
        raise MentoringError("That change is not possible from your profile's current status.")
    profile.status = status
    profile.save(update_fields=["status"])
    audit(actor=actor, verb=f"mentor.{status}", target=profile, subject=actor)
    if status != MentorProfile.Status.APPROVED:
        for proposal in profile.proposals.filter(status=Proposal.Status.PENDING):
            _close_proposal(proposal, Proposal.Status.WITHDRAWN)
    return profile


# Matching inputs -----------------------------------------------------------------------------


def _mentor_value(profile):
    org = getattr(getattr(profile.user, "profile", None), "organisation", None)
    kinds = set(profile.organisation_kinds)
    if org is not None:
        kinds.add(org.kind)
    return matching.Mentor(
        id=profile.user_id,
        organisation_id=org.pk if org else None,
        expertise=frozenset(profile.expertise),
        roles_held=frozenset(profile.roles_held),
        organisation_kinds=frozenset(kinds),
        region=profile.region or (org.region if org else ""),
        formats=frozenset(profile.formats),
        capacity_left=profile.places_left,
        approved_active=profile.status == MentorProfile.Status.APPROVED
        and profile.user.is_active
        and not profile.user.erased_at,
        lived_experience=profile.uses_lived_experience,
        excluded_user_ids=frozenset(u.pk for u in profile.excluded_users.all()),
    )


def _matching_mentors():
    return list(
        MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED)
        .select_related("user__profile__organisation")
        .prefetch_related("excluded_users")
    )


def _blocked_by_mentee(mentee_ids):
    """Mentor user ids each mentee may never be suggested again (declined or expired)."""
    blocked = {}
    rows = Proposal.objects.filter(
        request__mentee_id__in=mentee_ids, status__in=Proposal.BLOCKING_STATUSES
    ).values_list("request__mentee_id", "mentor__user_id")
    for mentee_id, mentor_id in rows:
        blocked.setdefault(mentee_id, set()).add(mentor_id)
    return blocked


def _request_value(request, blocked=frozenset()):
    org = getattr(getattr(request.mentee, "profile", None), "organisation", None)
    return matching.Request(
        id=request.pk,
        mentee_id=request.mentee_id,
        organisation_id=org.pk if org else None,
        organisation_kind=org.kind if org else "",
        region=org.region if org else "",
        focus_areas=tuple(request.focus_areas),
        wants_lived_experience=request.wants_lived_experience,
        wants_same_org_kind=request.wants_same_org_kind,
        wants_different_region=request.wants_different_region,
        wants_role=request.wants_role or None,
        formats=frozenset(request.formats),
        excluded_user_ids=frozenset(u.pk for u in request.excluded_users.all()),
        blocked_mentor_ids=frozenset(blocked),
    )


# Requests ------------------------------------------------------------------------------------


def _open_count(mentee):
    requests = MentoringRequest.objects.filter(
        mentee=mentee, status__in=MentoringRequest.OPEN_STATUSES
    ).count()
    proposals = Proposal.objects.filter(
        request__mentee=mentee, status=Proposal.Status.PENDING
    ).count()
    return requests, proposals


@transaction.atomic
def create_request(
    *,
    actor,
    goals,
    focus_areas,
    wants_lived_experience=False,
    wants_same_org_kind=False,
    wants_different_region=False,
    wants_role="",
    formats=(),
    excluded_users=(),
):
    if not policies.can_request_mentor(actor):
        raise MentoringError("Mentoring is open to members of a network.")
    if not goals.strip():
        raise MentoringError("Say in a few words what you would like help with.")
    if not focus_areas:
        raise MentoringError("Choose at least one focus area.")
    if len(focus_areas) > MAX_FOCUS_AREAS:
        raise MentoringError(f"Choose at most {MAX_FOCUS_AREAS} focus areas.")
    # Lock the person's row so two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    open_requests, _ = _open_count(actor)
    if open_requests >= MAX_OPEN_PER_MENTEE:
        raise MentoringError(
            f"You can have at most {MAX_OPEN_PER_MENTEE} open requests. Withdraw one first."
        )
    if wants_role and wants_role not in BoardRole.values:
        raise MentoringError("Choose a board role from the list.")
    request = MentoringRequest.objects.create(
        mentee=actor,
        goals=goals.strip(),
        goals_html=render_markdown(goals.strip()),
        focus_areas=_codes(focus_areas, PracticeArea, MAX_FOCUS_AREAS),
        wants_lived_experience=wants_lived_experience,
        wants_same_org_kind=wants_same_org_kind,
        wants_different_region=wants_different_region,
        wants_role=wants_role or "",
        formats=_codes(formats, Format),
    )
    request.excluded_users.set([u for u in excluded_users if u.pk != actor.pk])
    audit(actor=actor, verb="mentoring_request.create", target=request, subject=actor)
    return request


@transaction.atomic
def withdraw_request(*, actor, request):
    request = MentoringRequest.objects.select_for_update().get(pk=request.pk)
    if not policies.is_own_request(actor, request):
        raise MentoringError("Only the person who asked can withdraw this request.")
    if not request.is_open:
        raise MentoringError("This request is no longer open.")
    for proposal in request.proposals.filter(status=Proposal.Status.PENDING):
        _close_proposal(proposal, Proposal.Status.WITHDRAWN)
    request.status = MentoringRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    audit(actor=actor, verb="mentoring_request.withdraw", target=request, subject=actor)
    return request


@dataclass(frozen=True)
class MentorSuggestion:
    mentor: MentorProfile
    score: float
    reasons: tuple[str, ...]

    @property
    def percent(self):
        return round(self.score * 100)


def suggestions_for(*, actor, request, limit=5):
    """The best eligible mentors for an open request, each with reasons in plain words."""
    if not policies.is_own_request(actor, request) or not request.is_open:
        return []
    mentors = _matching_mentors()
    proposed = set(
        request.proposals.filter(status=Proposal.Status.PENDING).values_list(
            "mentor__user_id", flat=True
        )
    )
    current = set(
        MentoringRelationship.objects.filter(
            mentee=actor, status__in=["active", "paused"]
        ).values_list("mentor__user_id", flat=True)
    )
    blocked = _blocked_by_mentee([actor.pk]).get(actor.pk, set())
    value = _request_value(request, blocked)
    by_user = {m.user_id: m for m in mentors if m.user_id not in proposed | current}
    found = matching.suggest(
        value, [_mentor_value(m) for m in by_user.values()], limit, labels=reason_labels()
    )
    return [MentorSuggestion(by_user[s.mentor_id], s.score, s.reasons) for s in found]


# Proposals -----------------------------------------------------------------------------------


@transaction.atomic
def propose_mentor(*, actor, request, mentor, source=Proposal.Source.MENTEE):
    """The mentee (or a steward's cohort run) asks a mentor; the mentor has 14 days."""
    request = MentoringRequest.objects.select_for_update().get(pk=request.pk)
    if source == Proposal.Source.MENTEE and not policies.is_own_request(actor, request):
        raise MentoringError("Only the person who asked can choose a mentor.")
    if source == Proposal.Source.COHORT and not policies.is_mentoring_steward(actor):
        raise MentoringError("Only stewards run cohort matching.")
    if not request.is_open:
        raise MentoringError("This request is no longer open.")
    _, pending = _open_count(request.mentee)
    if pending >= MAX_OPEN_PER_MENTEE:
        raise MentoringError(
            f"You can wait for at most {MAX_OPEN_PER_MENTEE} mentors' answers at once."
        )
    mentor = (
        MentorProfile.objects.select_related("user__profile__organisation")
        .prefetch_related("excluded_users")
        .get(pk=mentor.pk)
    )
    blocked = _blocked_by_mentee([request.mentee_id]).get(request.mentee_id, set())
    value = _request_value(request, blocked)
    mentor_value = _mentor_value(mentor)
    if not matching.eligible(value, mentor_value):
        raise MentoringError("This mentor cannot be proposed for this request.")
    if request.proposals.filter(mentor=mentor, status=Proposal.Status.PENDING).exists():
        raise MentoringError("You have already asked this mentor.")
    scored = matching.score(value, mentor_value, reason_labels())
    proposal = Proposal.objects.create(
        request=request,
        mentor=mentor,
        source=source,
        score=scored.total,
        reasons=list(scored.reasons),
    )
    request.status = MentoringRequest.Status.PROPOSED
    request.save(update_fields=["status"])
    audit(
        actor=actor,
        verb="proposal.create",
        target=proposal,
        subject=mentor.user,
        source=source,
    )
    notify(
        user=mentor.user,
        kind="mentoring_proposal",
        url=_url("proposal", proposal.pk),
        target=proposal,
    )
    return proposal


def _close_proposal(proposal, status, reason=""):
    """Close a pending proposal; its request reopens when nothing else is pending."""
    proposal.status = status
    proposal.answered_at = timezone.now()
    if reason:
        proposal.decline_reason = reason
    proposal.save(update_fields=["status", "answered_at", "decline_reason"])
    request = proposal.request
    if (
        request.status == MentoringRequest.Status.PROPOSED
        and not request.proposals.filter(status=Proposal.Status.PENDING).exists()
    ):
        request.status = MentoringRequest.Status.OPEN
        request.save(update_fields=["status"])


@transaction.atomic
def accept_proposal(*, actor, proposal):
    """Take one of the mentor's places, under a lock, and start the relationship."""
    try:
        # The mentor row first, always: every acceptance queues here, one at a time.
        mentor = _lock_mentor(MentorProfile.objects.filter(pk=proposal.mentor_id))
        if not policies.is_own_mentor_profile(actor, mentor):
            raise MentoringError("Only the mentor who was asked can answer.")
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != Proposal.Status.PENDING:
            raise MentoringError("This proposal has already been answered or has expired.")
        if mentor.status != MentorProfile.Status.APPROVED:
            raise MentoringError("Resume your mentor profile before accepting.")
        if mentor.active_mentees >= mentor.capacity:
            raise MentoringError(
                "You have no places left: all your mentoring places are taken. Decline this "
                "proposal, or raise your capacity in your mentor profile first."
            )
        request = MentoringRequest.objects.select_for_update().get(pk=proposal.request_id)
        with transaction.atomic():
            MentorProfile.objects.filter(pk=mentor.pk).update(
                active_mentees=F("active_mentees") + 1
            )
            relationship = MentoringRelationship.objects.create(
                mentor=mentor, mentee=request.mentee, request=request
            )
    except IntegrityError as error:
        raise MentoringError(
            "This could not be accepted: your places may have just been taken. "
            "Reload the page to see where things stand."
        ) from error
    proposal.status = Proposal.Status.ACCEPTED
    proposal.answered_at = timezone.now()
    proposal.save(update_fields=["status", "answered_at"])
    for other in request.proposals.filter(status=Proposal.Status.PENDING):
        other.status = Proposal.Status.WITHDRAWN
        other.answered_at = timezone.now()
        other.save(update_fields=["status", "answered_at"])
    request.status = MentoringRequest.Status.MATCHED
    request.matched_at = timezone.now()
    request.save(update_fields=["status", "matched_at"])
    audit(actor=actor, verb="proposal.accept", target=proposal, subject=request.mentee)
    notify(
        user=request.mentee,
        kind="mentoring_proposal_accepted",
        url=_url("relationship", relationship.pk),
        target=relationship,
    )
    return relationship


@transaction.atomic
def decline_proposal(*, actor, proposal, reason=""):
    """The reason is for stewards only; the mentee learns only that it was answered."""
    proposal = Proposal.objects.select_for_update().select_related("mentor").get(pk=proposal.pk)
    if not policies.is_asked_mentor(actor, proposal):
        raise MentoringError("Only the mentor who was asked can answer.")
    if proposal.status != Proposal.Status.PENDING:
        raise MentoringError("This proposal has already been answered or has expired.")
    _close_proposal(proposal, Proposal.Status.DECLINED, reason.strip())
    audit(actor=actor, verb="proposal.decline", target=proposal, subject=proposal.request.mentee)
    notify(
        user=proposal.request.mentee,
        kind="mentoring_proposal_declined",
        url=_url("request", proposal.request_id),
        target=proposal.request,
    )
    return proposal


# Relationships -------------------------------------------------------------------------------


def _current_relationship(actor, relationship):
    relationship = MentoringRelationship.objects.select_related("mentor").get(pk=relationship.pk)
    if not policies.can_change_relationship(actor, relationship):
        raise MentoringError("This relationship has ended or is not yours.")
    return relationship


def _other_party(actor, relationship):
    return (
        relationship.mentee if relationship.mentor.user_id == actor.pk else relationship.mentor.user
    )


@transaction.atomic
def add_goal(*, actor, relationship, text):
    relationship = _current_relationship(actor, relationship)
    if not text.strip():
        raise MentoringError("Write the goal in a few words.")
    return Goal.objects.create(relationship=relationship, text=text.strip()[:300])


@transaction.atomic
def update_goal_progress(*, actor, goal, progress):
    _current_relationship(actor, goal.relationship)
    progress = int(progress)
    if not 0 <= progress <= 100:
        raise MentoringError("Progress is a percentage from 0 to 100.")
    Goal.objects.filter(pk=goal.pk).update(progress=progress)
    goal.progress = progress
    return goal


@transaction.atomic
def log_meeting(*, actor, relationship, date, minutes, summary=""):
    relationship = _current_relationship(actor, relationship)
    if date > timezone.localdate():
        raise MentoringError("Log meetings that have happened; the date is in the future.")
    if not 5 <= int(minutes) <= 600:
        raise MentoringError("A meeting lasts between 5 and 600 minutes.")
    meeting = Meeting.objects.create(
        relationship=relationship,
        date=date,
        minutes=int(minutes),
        summary=summary.strip(),
        summary_html=render_markdown(summary.strip()),
        logged_by=actor,
    )
    notify(
        user=_other_party(actor, relationship),
        kind="mentoring_meeting_logged",
        url=_url("relationship", relationship.pk),
        target=relationship,
        email=False,
    )
    return meeting


@transaction.atomic
def add_private_note(*, actor, relationship, body):
    relationship = MentoringRelationship.objects.select_related("mentor").get(pk=relationship.pk)
    if actor.pk not in (relationship.mentee_id, relationship.mentor.user_id):
        raise MentoringError("This relationship is not yours.")
    if not body.strip():
        raise MentoringError("The note is empty.")
    return PrivateNote.objects.create(
        relationship=relationship,
        writer=actor,
        body=body.strip(),
        body_html=render_markdown(body.strip()),
    )


@transaction.atomic
def pause_relationship(*, actor, relationship):
    relationship = _current_relationship(actor, relationship)
    if relationship.status != MentoringRelationship.Status.ACTIVE:
        raise MentoringError("Only an active relationship can be paused.")
    relationship.status = MentoringRelationship.Status.PAUSED
    relationship.paused_at = timezone.now()
    relationship.save(update_fields=["status", "paused_at"])
    audit(actor=actor, verb="relationship.pause", target=relationship)
    _tell_other(actor, relationship)
    return relationship


@transaction.atomic
def resume_relationship(*, actor, relationship):
    relationship = _current_relationship(actor, relationship)
    if relationship.status != MentoringRelationship.Status.PAUSED:
        raise MentoringError("Only a paused relationship can be resumed.")
    relationship.status = MentoringRelationship.Status.ACTIVE
    relationship.paused_at = None
    relationship.meeting_reminded_at = timezone.now()  # the six weeks start again
    relationship.save(update_fields=["status", "paused_at", "meeting_reminded_at"])
    audit(actor=actor, verb="relationship.resume", target=relationship)
    _tell_other(actor, relationship)
    return relationship


def _tell_other(actor, relationship):
    notify(
        user=_other_party(actor, relationship),
        kind="mentoring_relationship_changed",
        url=_url("relationship", relationship.pk),
        target=relationship,
    )


@transaction.atomic
def end_relationship(*, actor, relationship, rating=None, goals_met=False):
    """End it, free the mentor's place, and keep the actor's private feedback if given."""
    relationship = _current_relationship(actor, relationship)
    _lock_mentor(MentorProfile.objects.filter(pk=relationship.mentor_id))
    relationship = MentoringRelationship.objects.select_for_update().get(pk=relationship.pk)
    if not relationship.is_current:
        raise MentoringError("This relationship has already ended.")
    relationship.status = MentoringRelationship.Status.ENDED
    relationship.ended_at = timezone.now()
    relationship.save(update_fields=["status", "ended_at"])
    MentorProfile.objects.filter(pk=relationship.mentor_id, active_mentees__gt=0).update(
        active_mentees=F("active_mentees") - 1
    )
    if relationship.request_id:
        MentoringRequest.objects.filter(pk=relationship.request_id).update(
            status=MentoringRequest.Status.CLOSED
        )
    if rating:
        give_feedback(actor=actor, relationship=relationship, rating=rating, goals_met=goals_met)
    audit(actor=actor, verb="relationship.end", target=relationship)
    relationship.mentor = MentorProfile.objects.select_related("user").get(
        pk=relationship.mentor_id
    )
    _tell_other(actor, relationship)
    return relationship


@transaction.atomic
def give_feedback(*, actor, relationship, rating, goals_met=False):
    if relationship.is_current:
        raise MentoringError("Feedback is given when the relationship ends.")
    if actor.pk not in (relationship.mentee_id, relationship.mentor.user_id):
        raise MentoringError("This relationship is not yours.")
    if int(rating) not in EndFeedback.Rating.values:
        raise MentoringError("Choose one of the answers offered.")
    try:
        with transaction.atomic():
            return EndFeedback.objects.create(
                relationship=relationship, writer=actor, rating=int(rating), goals_met=goals_met
            )
    except IntegrityError as error:
        raise MentoringError("You have already given feedback on this relationship.") from error


# Cohort matching (stewards) ------------------------------------------------------------------


@dataclass(frozen=True)
class CohortPreview:
    result: matching.CohortResult
    requests: dict  # id -> MentoringRequest
    mentors: dict  # user id -> MentorProfile
    mode: str
    min_score: float
    fixed_pairs: tuple

    @property
    def rows(self):
        return [
            (self.requests[p.request_id], self.mentors[p.mentor_id], p) for p in self.result.pairs
        ]

    @property
    def unmatched(self):
        return [(self.requests[u.request_id], u.reason) for u in self.result.unmatched]


def preview_cohort(*, actor, mode="best_total", min_score=0.0, fixed_pairs=()):
    """Match every open request (not waiting for an answer) against mentors with places."""
    policies.require_steward(actor)
    requests = list(
        MentoringRequest.objects.filter(
            status=MentoringRequest.Status.OPEN, mentee__erased_at__isnull=True
        )
        .select_related("mentee__profile__organisation")
        .prefetch_related("excluded_users")
        .order_by("pk")
    )
    blocked = _blocked_by_mentee([r.mentee_id for r in requests])
    mentors = [m for m in _matching_mentors() if m.places_left > 0]
    fixed = tuple((int(r), int(m)) for r, m in fixed_pairs)
    try:
        result = matching.match_cohort(
            [_request_value(r, blocked.get(r.mentee_id, ())) for r in requests],
            [_mentor_value(m) for m in mentors],
            mode=mode,
            min_score=float(min_score),
            fixed_pairs=fixed,
            labels=reason_labels(),
        )
    except ValueError as error:
        raise MentoringError(
            "One of the pairs fixed by hand cannot be used: it breaks a matching rule or is "
            "no longer open. Remove it and preview again."
        ) from error
    return CohortPreview(
        result=result,
        requests={r.pk: r for r in requests},
        mentors={m.user_id: m for m in mentors},
        mode=mode,
        min_score=float(min_score),
        fixed_pairs=fixed,
    )


@transaction.atomic
def confirm_cohort(*, actor, mode="best_total", min_score=0.0, fixed_pairs=()):
    """Run the same matching again and send each pair's mentor a proposal."""
    preview = preview_cohort(actor=actor, mode=mode, min_score=min_score, fixed_pairs=fixed_pairs)
    proposals = []
    for request, mentor, _pair in preview.rows:
        try:
            with transaction.atomic():
                proposals.append(
                    propose_mentor(
                        actor=actor,
                        request=request,
                        mentor=mentor,
                        source=Proposal.Source.COHORT,
                    )
                )
        except MentoringError:
            continue
    audit(
        actor=actor,
        verb="cohort.confirm",
        mode=mode,
        min_score=float(min_score),
        proposals=len(proposals),
        fixed=len(preview.fixed_pairs),
    )
    for proposal in proposals:
        notify(
            user=proposal.request.mentee,
            kind="mentoring_cohort_proposed",
            url=_url("request", proposal.request_id),
            target=proposal.request,
        )
    return proposals


# Figures (stewards): counts and medians only, never content ---------------------------------


def figures(*, actor):
    policies.require_steward(actor)
    open_requests = MentoringRequest.objects.filter(
        status__in=MentoringRequest.OPEN_STATUSES
    ).count()
    waits = [
        (matched - created).total_seconds() / 86400
        for created, matched in MentoringRequest.objects.filter(
            matched_at__isnull=False
        ).values_list("created_at", "matched_at")
    ]
    approved = MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED)
    totals = approved.aggregate(
        capacity=Coalesce(Sum("capacity"), 0),
        taken=Coalesce(Sum("active_mentees"), 0),
        mentors=Count("pk"),
    )
    capacity, taken = totals["capacity"], totals["taken"]
    relationships = dict(
        MentoringRelationship.objects.values_list("status").annotate(n=Count("pk"))
    )
    feedback = list(EndFeedback.objects.values_list("rating", "goals_met"))
    feedback_summary = None
    if len(feedback) >= FEEDBACK_MIN_ANSWERS:
        feedback_summary = {
            "answers": len(feedback),
            "useful_or_better": sum(1 for r, _ in feedback if r >= EndFeedback.Rating.USEFUL),
            "goals_met": sum(1 for _, met in feedback if met),
        }
    return {
        "open_requests": open_requests,
        "median_days_to_match": round(statistics.median(waits), 1) if waits else None,
        "matched_requests": len(waits),
        "capacity": capacity,
        "places_taken": taken,
        "utilisation": round(100 * taken / capacity) if capacity else 0,
        "active_relationships": relationships.get("active", 0),
        "paused_relationships": relationships.get("paused", 0),
        "ended_relationships": relationships.get("ended", 0),
        "approved_mentors": totals["mentors"],
        "feedback": feedback_summary,
        "feedback_answers": len(feedback),
    }


# Reminders -----------------------------------------------------------------------------------


def send_reminders(*, now=None):
    """Safe to run every hour: each reminder goes once, each expiry happens once."""
    now = now or timezone.now()
    counts = {"expiring": 0, "expired": 0, "no_meeting": 0}
    for proposal in Proposal.objects.filter(
        status=Proposal.Status.PENDING,
        expires_at__lte=now + EXPIRY_WARNING,
        expires_at__gt=now,
        expiry_warned_at__isnull=True,
    ).select_related("mentor__user"):
        with transaction.atomic():
            if Proposal.objects.filter(
                pk=proposal.pk, expiry_warned_at__isnull=True, status=Proposal.Status.PENDING
            ).update(expiry_warned_at=now):
                notify(
                    user=proposal.mentor.user,
                    kind="mentoring_proposal_expiring",
                    url=_url("proposal", proposal.pk),
                    target=proposal,
                )
                counts["expiring"] += 1
    for proposal_id in Proposal.objects.filter(
        status=Proposal.Status.PENDING, expires_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            proposal = (
                Proposal.objects.select_for_update()
                .filter(pk=proposal_id, status=Proposal.Status.PENDING)
                .first()
            )
            if proposal is None:
                continue
            _close_proposal(proposal, Proposal.Status.EXPIRED)
            audit(actor=None, verb="proposal.expire", target=proposal)
            notify(
                user=proposal.request.mentee,
                kind="mentoring_proposal_expired",
                url=_url("request", proposal.request_id),
                target=proposal.request,
            )
            counts["expired"] += 1
    quiet_since = now - MEETING_GAP
    relationships = (
        MentoringRelationship.objects.filter(
            status=MentoringRelationship.Status.ACTIVE, started_at__lte=quiet_since
        )
        .annotate(last_meeting=Max("meetings__created_at"))
        .filter(Q(last_meeting__isnull=True) | Q(last_meeting__lte=quiet_since))
        .filter(Q(meeting_reminded_at__isnull=True) | Q(meeting_reminded_at__lte=quiet_since))
        .select_related("mentor__user", "mentee")
    )
    for relationship in relationships:
        with transaction.atomic():
            MentoringRelationship.objects.filter(pk=relationship.pk).update(meeting_reminded_at=now)
            for person in (relationship.mentee, relationship.mentor.user):
                notify(
                    user=person,
                    kind="mentoring_meeting_reminder",
                    url=_url("relationship", relationship.pk),
                    target=relationship,
                )
            counts["no_meeting"] += 1
    return counts


# Data rights ---------------------------------------------------------------------------------


def export_user_data(user):
    """The user's mentoring data; other people's private notes never leave."""
    profile = MentorProfile.objects.filter(user=user).first()
    data = {"mentor_profile": None, "requests": [], "proposals_received": [], "relationships": []}
    if profile:
        data["mentor_profile"] = {
            "status": profile.status,
            "expertise": profile.expertise,
            "roles_held": profile.roles_held,
            "organisation_kinds": profile.organisation_kinds,
            "region": profile.region,
            "formats": profile.formats,
            "capacity": profile.capacity,
            "lived_experience": profile.lived_experience,
            "lived_experience_consent": profile.lived_experience_consent,
            "bio": profile.bio,
            "created_at": profile.created_at,
        }
        data["proposals_received"] = [
            {
                "status": p.status,
                "created_at": p.created_at,
                "answered_at": p.answered_at,
                "your_decline_reason": p.decline_reason,  # written by this user
            }
            for p in profile.proposals.all()
        ]
    for request in MentoringRequest.objects.filter(mentee=user).prefetch_related("proposals"):
        data["requests"].append(
            {
                "goals": request.goals,
                "focus_areas": request.focus_areas,
                "wants_lived_experience": request.wants_lived_experience,
                "wants_same_org_kind": request.wants_same_org_kind,
                "wants_different_region": request.wants_different_region,
                "wants_role": request.wants_role,
                "formats": request.formats,
                "excluded_user_ids": list(request.excluded_users.values_list("pk", flat=True)),
                "status": request.status,
                "created_at": request.created_at,
                # The mentor's decline reason is theirs and the stewards': not exported here.
                "proposals": [
                    {"status": p.status, "created_at": p.created_at, "answered_at": p.answered_at}
                    for p in request.proposals.all()
                ],
            }
        )
    for relationship in policies.my_relationships(user).prefetch_related("goals", "meetings"):
        data["relationships"].append(
            {
                "role": "mentor" if relationship.mentor.user_id == user.pk else "mentee",
                "status": relationship.status,
                "started_at": relationship.started_at,
                "ended_at": relationship.ended_at,
                "goals": [
                    {"text": g.text, "progress": g.progress} for g in relationship.goals.all()
                ],
                "meetings": [
                    {"date": m.date, "minutes": m.minutes, "summary": m.summary}
                    for m in relationship.meetings.all()
                ],
                "my_private_notes": [
                    {"body": n.body, "created_at": n.created_at}
                    for n in PrivateNote.objects.filter(relationship=relationship, writer=user)
                ],
                "my_feedback": [
                    {"rating": f.rating, "goals_met": f.goals_met}
                    for f in EndFeedback.objects.filter(relationship=relationship, writer=user)
                ],
            }
        )
    return data


def erase_user_data(user):
    """Called inside community.services.erase_user's transaction."""
    for relationship in policies.my_relationships(user).filter(status__in=["active", "paused"]):
        MentoringRelationship.objects.filter(pk=relationship.pk).update(
            status=MentoringRelationship.Status.ENDED, ended_at=timezone.now()
        )
        MentorProfile.objects.filter(pk=relationship.mentor_id, active_mentees__gt=0).update(
            active_mentees=F("active_mentees") - 1
        )
    PrivateNote.objects.filter(writer=user).delete()
    EndFeedback.objects.filter(writer=user).update(writer=None)
    Proposal.objects.filter(
        Q(request__mentee=user) | Q(mentor__user=user), status=Proposal.Status.PENDING
    ).update(status=Proposal.Status.WITHDRAWN, answered_at=timezone.now())
    Proposal.objects.filter(mentor__user=user).update(decline_reason="")
    MentoringRequest.objects.filter(mentee=user).update(
        goals="", goals_html="", status=MentoringRequest.Status.CLOSED
    )
    for request in MentoringRequest.objects.filter(mentee=user):
        request.excluded_users.clear()
    MentorProfile.objects.filter(user=user).update(
        status=MentorProfile.Status.RETIRED,
        bio="",
        bio_html="",
        lived_experience="",
        lived_experience_consent=False,
        expertise=[],
        roles_held=[],
        organisation_kinds=[],
        formats=[],
    )
    for profile in MentorProfile.objects.filter(user=user):
        profile.excluded_users.clear()
    community_policies.forget_cached_permissions(user)
