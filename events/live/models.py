"""Live facilitated sessions: the durable record of what happened in the room.

Every durable happening gets the next number of its session's sequence (`LiveSession.seq`,
allocated under `select_for_update`) and a `LiveEvent` row holding the exact message that was
broadcast, so a client that missed something asks again by number and receives it once.
Presence is the only state not written here (it lives in the channel layer; the snapshot
reconstructs it from the open joins counted on `Attendance`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from community.fields import SanitisedHTMLField
from events.models import Event

USER = settings.AUTH_USER_MODEL


class LiveSession(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open: waiting to start"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="live_session")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    # The last sequence number handed out; the next durable happening gets seq + 1.
    seq = models.PositiveBigIntegerField(default=0)
    # Breakout rooms are open (chat and hands scoped to rooms) while this is set.
    rooms_open = models.BooleanField(default=False)
    rooms_close_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Chatham House: chat and question text removed at the end of the retention period.
    purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Live session of {self.event_id} ({self.state})"


class LiveEvent(models.Model):
    """One broadcast, exactly as sent, so a resuming client can be given what it missed."""

    class Audience(models.TextChoices):
        ALL = "all", "Everyone in the session"
        ROOM = "room", "Everyone in one room (null: the main room)"
        FACILITATORS = "facilitators", "Facilitators only"
        USER = "user", "One person and the facilitators"

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="log")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.ALL)
    room = models.ForeignKey(
        "BreakoutRoom", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="live_event_unique_seq")
        ]

    def __str__(self):
        return f"{self.kind} #{self.seq}"


class BreakoutRoom(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="rooms")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="live_room_unique_number")
        ]

    def __str__(self):
        return self.name


class RoomAssignment(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="assignments")
    room = models.ForeignKey(BreakoutRoom, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="live_one_room_per_person")
        ]


class ChatMessage(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="chat")
    room = models.ForeignKey(
        BreakoutRoom, null=True, blank=True, on_delete=models.CASCADE, related_name="chat"
    )
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=2000)
    text_html = SanitisedHTMLField()
    hidden = models.BooleanField(default=False)
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "seq"]
        indexes = [models.Index(fields=["session", "room", "seq"])]


class Question(models.Model):
    """Named or anonymous; the author of an anonymous question is stored and never sent."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    anonymous = models.BooleanField(default=False)
    text = models.TextField(max_length=1000)
    text_html = SanitisedHTMLField()
    votes = models.PositiveIntegerField(default=0)
    answered = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pinned", "-votes", "created_at", "id"]


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="live_one_upvote_each")
        ]


class Poll(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Choose one"
        MULTIPLE = "multiple", "Choose any"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "id"]


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)
    # The aggregate kept when the poll closes (it outlives any purge).
    final_tally = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="live_option_position")
        ]


class PollVote(models.Model):
    """Who chose what is never sent to anyone; only tallies leave the database."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "user"], name="live_one_vote_per_option")
        ]


class Hand(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="hands")
    room = models.ForeignKey(
        BreakoutRoom, null=True, blank=True, on_delete=models.CASCADE, related_name="hands"
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    called_at = models.DateTimeField(null=True, blank=True)
    lowered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(lowered_at__isnull=True),
                name="live_one_raised_hand_each",
            )
        ]


class Attendance(models.Model):
    """First join, last leave and time present; `connections` counts open joins (presence)."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    first_joined_at = models.DateTimeField(default=timezone.now)
    last_left_at = models.DateTimeField(null=True, blank=True)
    present_since = models.DateTimeField(null=True, blank=True)
    seconds_present = models.PositiveIntegerField(default=0)
    connections = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="live_one_attendance_each")
        ]

    @property
    def minutes_present(self):
        return self.seconds_present // 60


class Mute(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="live_mute_once")]


class Removal(models.Model):
    """A participant removed from this session; they cannot rejoin it."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="removals")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="live_removal_once")
        ]
