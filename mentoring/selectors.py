"""Reads that build mentoring's pages and payloads: suggestions, cohort previews, figures.

No writes (DESIGN.md: selectors.py). The matching inputs here turn rows into the plain values
`matching.py` scores, for these reads and for the proposal action that checks eligibility.
"""

import statistics
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from mentoring import matching, policies
from mentoring.models import (
    EndFeedback,
    MentoringRelationship,
    MentoringRequest,
    MentorProfile,
    Proposal,
    reason_labels,
)

FEEDBACK_MIN_ANSWERS = 5


# Matching inputs -----------------------------------------------------------------------------


def mentor_value(profile):
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


def matching_mentors():
    return list(
        MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED)
        .select_related("user__profile__organisation")
        .prefetch_related("excluded_users")
    )


def blocked_by_mentee(mentee_ids):
    """Mentor user ids each mentee may never be suggested again (declined or expired)."""
    blocked = {}
    rows = Proposal.objects.filter(
        request__mentee_id__in=mentee_ids, status__in=Proposal.BLOCKING_STATUSES
    ).values_list("request__mentee_id", "mentor__user_id")
    for mentee_id, mentor_id in rows:
        blocked.setdefault(mentee_id, set()).add(mentor_id)
    return blocked


def request_value(request, blocked=frozenset()):
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


# Suggestions (the mentee's own request) ----------------------------------------------------------


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
    mentors = matching_mentors()
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
    blocked = blocked_by_mentee([actor.pk]).get(actor.pk, set())
    value = request_value(request, blocked)
    by_user = {m.user_id: m for m in mentors if m.user_id not in proposed | current}
    found = matching.suggest(
        value, [mentor_value(m) for m in by_user.values()], limit, labels=reason_labels()
    )
    return [MentorSuggestion(by_user[s.mentor_id], s.score, s.reasons) for s in found]


# Cohort matching (stewards) ----------------------------------------------------------------------


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
    blocked = blocked_by_mentee([r.mentee_id for r in requests])
    mentors = [m for m in matching_mentors() if m.places_left > 0]
    fixed = tuple((int(r), int(m)) for r, m in fixed_pairs)
    try:
        result = matching.match_cohort(
            [request_value(r, blocked.get(r.mentee_id, ())) for r in requests],
            [mentor_value(m) for m in mentors],
            mode=mode,
            min_score=float(min_score),
            fixed_pairs=fixed,
            labels=reason_labels(),
        )
    except ValueError as error:
        from mentoring.services import MentoringError  # services import this module

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
