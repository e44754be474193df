"""What mentoring holds about one person: their export and their erasure (DESIGN.md rule 9).

Registered through the site's declared protocol (MentoringConfig in apps.py).
"""

from django.db.models import F, Q
from django.utils import timezone

from community import policies as community_policies
from mentoring import policies
from mentoring.models import (
    EndFeedback,
    MentoringRelationship,
    MentoringRequest,
    MentorProfile,
    PrivateNote,
    Proposal,
)


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
    """Called inside community.data.erase_user's transaction."""
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
