"""Board assurance: rounds, each person's answers, the board's shared answers, the results
snapshot taken at close, WRES figures, and the action plan.

Confidentiality lives in the shape: a board's results exist only as a `BoardResult` row, written
once when its round closes with at least k answers, never updated, so nothing can be learnt by
watching results change as answers arrive or by re-closing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from community.models import Organisation, OrganisationKind, Region


class Round(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    questionnaire_version = models.PositiveSmallIntegerField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # How many answered when it closed (shown only with the results, so only when >= k).
    responses_at_close = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One open round per board at a time.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(closed_at__isnull=True),
                name="assurance_one_open_round_per_board",
            )
        ]

    def __str__(self):
        return f"Assessment round {self.pk}"

    @property
    def is_open(self):
        return self.closed_at is None


class Response(models.Model):
    """One board member's own answers to one round. Shown to no one but its giver."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assurance_responses"
    )
    overall = models.PositiveSmallIntegerField()
    progress = models.JSONField(default=dict)  # item code -> PROGRESS_SCALE code
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="assurance_one_response"),
            models.CheckConstraint(condition=Q(overall__lte=10), name="assurance_overall_0_10"),
        ]


class BoardAnswer(models.Model):
    """The board's shared answer to a key assurance question: its members' eyes only."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="board_answers")
    question = models.CharField(max_length=40)
    text = models.TextField(max_length=6000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="assurance_one_board_answer")
        ]


class BoardResult(models.Model):
    """A closed round's aggregates, written once at close and never recomputed.

    The organisation's kind and region are copied in at close, so a board that later changes
    kind or region (leaves a peer group) does not move its past results between groups.
    """

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="result")
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    region = models.CharField(max_length=20, choices=Region.choices)
    closed_at = models.DateTimeField()
    respondents = models.PositiveIntegerField()
    overall_mean = models.FloatField()
    share_8_to_10 = models.PositiveSmallIntegerField()  # per cent, rounded
    share_fully_embedded = models.PositiveSmallIntegerField()
    # item code -> {"progress": per cent reporting progress, "embedded": per cent embedded}
    progress = models.JSONField(default=dict)
    # The board's newest closed result: the one peer groups use.
    is_latest = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["is_latest", "organisation_kind", "region"])]


class WresFigure(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    indicator = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=7, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "indicator"], name="assurance_one_wres_figure"
            )
        ]


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    DONE = "done", "Done"


class Action(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="actions")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    area = models.CharField(max_length=40)  # a questionnaire item code
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    evidence_url = models.URLField(blank=True, max_length=500)
    evidence_note = models.TextField(blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.title


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self):
        return self.done_at is None and self.due_on < timezone.localdate()
