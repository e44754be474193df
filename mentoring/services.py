"""Every action that changes mentoring's state: one function per verb.

Reads for pages (suggestions, cohort previews, figures) are in selectors.py, the hourly
reminders and expiries in retention.py, and a person's export and erasure in data.py.

Each checks the policy, writes inside a transaction, audits, and tells people through
community.services.notify (content-free sentences registered in MentoringConfig.ready()).
A mentor's places are taken under a row lock on their profile, with a database constraint
(active_mentees <= capacity) as the last line of defence.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from community import policies as community_policies
from community.locking import lock_one
from community.models import BoardRole, OrganisationKind, PracticeArea, User
from community.services import CommunityError, audit, notify
from community.text import render_markdown
from mentoring import matching, policies, selectors
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
    blocked = selectors.blocked_by_mentee([request.mentee_id]).get(request.mentee_id, set())
    value = selectors.request_value(request, blocked)
    mentor_value = selectors.mentor_value(mentor)
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


@transaction.atomic
def confirm_cohort(*, actor, mode="best_total", min_score=0.0, fixed_pairs=()):
    """Run the same matching again and send each pair's mentor a proposal."""
    preview = selectors.preview_cohort(
        actor=actor, mode=mode, min_score=min_score, fixed_pairs=fixed_pairs
    )
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
