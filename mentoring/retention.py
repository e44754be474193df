"""Mentoring's hourly upkeep: proposals that are about to expire or have expired, and
relationships with no meeting logged for a while. Safe to run every hour (mentoring/tasks.py):
each reminder goes once and each expiry happens once.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from community.services import audit, notify
from mentoring.models import MentoringRelationship, Proposal
from mentoring.services import _close_proposal, _url

EXPIRY_WARNING = timedelta(days=2)
MEETING_GAP = timedelta(weeks=6)


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
