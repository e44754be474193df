"""Mentoring: mentor profiles, requests, proposals, relationships and what happens in them.

Lists of codes (expertise, roles held, organisation kinds, formats, focus areas) are JSON
lists of TextChoices values. A mentor's places are counted in `active_mentees`, changed only
under a row lock by the services, with a database constraint behind it.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from community.fields import SanitisedHTMLField
from community.models import BoardRole, OrganisationKind, PracticeArea, Region

PROPOSAL_LIFETIME = timedelta(days=14)
MAX_OPEN_PER_MENTEE = 3
MAX_FOCUS_AREAS = 3
MAX_CAPACITY = 5


class Format(models.TextChoices):
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


class MentorProfile(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "Waiting for approval"
        APPROVED = "approved", "Approved"
        PAUSED = "paused", "Paused"
        RETIRED = "retired", "Retired"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    expertise = models.JSONField(default=list, blank=True)  # PracticeArea codes
    roles_held = models.JSONField(default=list, blank=True)  # BoardRole codes
    organisation_kinds = models.JSONField(default=list, blank=True)  # OrganisationKind codes
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    formats = models.JSONField(default=list, blank=True)  # Format codes; empty = any
    capacity = models.PositiveSmallIntegerField(default=1)
    active_mentees = models.PositiveSmallIntegerField(default=0, editable=False)
    lived_experience = models.TextField(blank=True, max_length=2000)
    lived_experience_consent = models.BooleanField(default=False)
    bio = models.TextField(blank=True, max_length=4000)
    bio_html = SanitisedHTMLField()
    excluded_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=MAX_CAPACITY),
                name="mentor_capacity_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(active_mentees__lte=F("capacity")),
                name="mentor_capacity_never_exceeded",
            ),
        ]

    def __str__(self):
        return f"Mentor profile of {self.user.display_name}"

    @property
    def places_left(self):
        return max(self.capacity - self.active_mentees, 0)

    @property
    def uses_lived_experience(self):
        """Lived experience counts in matching only when offered AND consented to."""
        return bool(self.lived_experience.strip()) and self.lived_experience_consent


class MentoringRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PROPOSED = "proposed", "Waiting for a mentor's answer"
        MATCHED = "matched", "Matched"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.OPEN, Status.PROPOSED)

    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_requests"
    )
    goals = models.TextField(max_length=3000)
    goals_html = SanitisedHTMLField()
    focus_areas = models.JSONField(default=list)  # up to 3 PracticeArea codes, in order
    wants_lived_experience = models.BooleanField(default=False)
    wants_same_org_kind = models.BooleanField(default=False)
    wants_different_region = models.BooleanField(default=False)
    wants_role = models.CharField(max_length=30, choices=BoardRole.choices, blank=True)
    formats = models.JSONField(default=list, blank=True)
    excluded_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"Mentoring request {self.pk}"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def focus_area_labels(self):
        return [PracticeArea(code).label for code in self.focus_areas if code in PracticeArea]


class Proposal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        MENTEE = "mentee", "Chosen by the mentee"
        COHORT = "cohort", "Cohort matching"

    # A pair that ended this way is never suggested again.
    BLOCKING_STATUSES = (Status.DECLINED, Status.EXPIRED)

    request = models.ForeignKey(
        MentoringRequest, on_delete=models.CASCADE, related_name="proposals"
    )
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="proposals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MENTEE)
    score = models.FloatField(default=0.0)
    reasons = models.JSONField(default=list, blank=True)  # plain-language, from matching
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    # Seen by stewards only (and by the mentor who wrote it, in their own export).
    decline_reason = models.TextField(blank=True, max_length=1000)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "mentor"],
                condition=Q(status="pending"),
                name="one_pending_proposal_per_pair",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return f"Proposal {self.pk}"

    def save(self, *args, **kwargs):
        if self.expires_at is None:
            self.expires_at = (self.created_at or timezone.now()) + PROPOSAL_LIFETIME
        super().save(*args, **kwargs)


class MentoringRelationship(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    mentor = models.ForeignKey(
        MentorProfile, on_delete=models.PROTECT, related_name="relationships"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentee_relationships"
    )
    request = models.OneToOneField(
        MentoringRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relationship",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    meeting_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=Q(status__in=["active", "paused"]),
                name="one_current_relationship_per_pair",
            )
        ]

    def __str__(self):
        return f"Mentoring relationship {self.pk}"

    @property
    def is_current(self):
        return self.status != self.Status.ENDED


class Goal(models.Model):
    relationship = models.ForeignKey(
        MentoringRelationship, on_delete=models.CASCADE, related_name="goals"
    )
    text = models.CharField(max_length=300)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="goal_progress_percent")
        ]


class Meeting(models.Model):
    relationship = models.ForeignKey(
        MentoringRelationship, on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    summary = models.TextField(blank=True, max_length=3000)  # shared by the two people
    summary_html = SanitisedHTMLField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]


class PrivateNote(models.Model):
    """Seen by its writer only: not the other person, not stewards, not anyone's export."""

    relationship = models.ForeignKey(
        MentoringRelationship, on_delete=models.CASCADE, related_name="private_notes"
    )
    writer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    body_html = SanitisedHTMLField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class EndFeedback(models.Model):
    """Private feedback when a relationship ends; stewards see aggregates of 5 or more only."""

    class Rating(models.IntegerChoices):
        NOT_USEFUL = 1, "Not useful"
        A_LITTLE = 2, "A little useful"
        USEFUL = 3, "Useful"
        VERY_USEFUL = 4, "Very useful"

    relationship = models.ForeignKey(
        MentoringRelationship, on_delete=models.CASCADE, related_name="feedback"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    goals_met = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "writer"], name="one_feedback_per_person"
            )
        ]


# Labels for matching reasons, read in a sentence ("has been a non-executive director").


def _in_sentence(label):
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def reason_labels():
    labels = {}
    for choices in (PracticeArea, BoardRole, OrganisationKind, Format):
        labels.update({value: _in_sentence(str(label)) for value, label in choices.choices})
    return labels
