"""Peer-learning events and registrations (seats, waitlist, approvals, attendance)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from community.fields import SanitisedHTMLField
from community.models import Network


class Event(models.Model):
    class Format(models.TextChoices):
        ONLINE = "online", "Online live session"
        IN_PERSON = "in_person", "In person"
        BOTH = "both", "In person and online"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    class ChatRetention(models.TextChoices):
        DISCARD = "discard", "Discard the chat when the session ends"
        KEEP = "keep", "Keep the chat for a number of days"

    networks = models.ManyToManyField(Network, related_name="events")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=8000)
    description_html = SanitisedHTMLField()
    # Stored in UTC (USE_TZ); shown in Europe/London.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.ONLINE)
    location = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveIntegerField(default=20)
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    approval_required = models.BooleanField(default=False)
    chatham_house = models.BooleanField("Chatham House rule", default=True)
    chat_retention = models.CharField(
        max_length=10, choices=ChatRetention.choices, default=ChatRetention.DISCARD
    )
    chat_retention_days = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Stable calendar identity; SEQUENCE goes up whenever the event changes or is cancelled.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminders_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        permissions = [
            ("register_for_event", "Register for the event"),
            ("facilitate_event", "Facilitate the event"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def has_ended(self):
        return self.ends_at <= timezone.now()


class EventUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Event, on_delete=models.CASCADE)


class EventGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Event, on_delete=models.CASCADE)


ACTIVE_STATUSES = ("confirmed", "waitlisted", "awaiting_approval")


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for approval"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    # Waitlist order is by the time the person joined it (then id).
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attended = models.BooleanField(default=False)
    attended_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_registration_per_event",
            )
        ]
        indexes = [
            models.Index(fields=["event", "status", "waitlisted_at"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self):
        return f"Registration {self.pk} ({self.status})"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES
