"""Forums: closed per-network spaces with anonymous posting and audited moderation."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from community.fields import SanitisedHTMLField
from community.models import Network, OrganisationKind, PracticeArea


class Forum(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="forums")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True, max_length=2000)
    description_html = SanitisedHTMLField()
    position = models.PositiveIntegerField(default=0)
    # None: the network's members. Otherwise a narrower group (and the network's moderators).
    audience = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allow_anonymous = models.BooleanField(default=False)
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    require_topic_approval = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]
        # view_forum is Django's built-in "view" permission, granted per forum through guardian.
        permissions = [
            ("post_in_forum", "Start topics and reply in the forum"),
            ("moderate_forum", "Moderate the forum"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="forum_slug_per_network")
        ]

    def __str__(self):
        return self.name


class ForumUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Forum, on_delete=models.CASCADE)


class ForumGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Forum, on_delete=models.CASCADE)


class TopicKind(models.TextChoices):
    DISCUSSION = "discussion", "Discussion"
    CASE_STUDY = "case_study", "Case study"


class Topic(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_anonymous = models.BooleanField(default=False)
    kind = models.CharField(max_length=12, choices=TopicKind.choices, default=TopicKind.DISCUSSION)
    # Chosen by the author for case studies (never read from an anonymous author's profile).
    organisation_kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, blank=True
    )
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    is_approved = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    # The topic's live stream: every new, edited, hidden or deleted post takes the next number.
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["forum", "-is_pinned", "-last_activity_at"], name="topic_forum_order"
            ),
            models.Index(fields=["kind", "-created_at"], name="topic_kind_created"),
        ]

    def __str__(self):
        return self.title

    @property
    def pseudonym_label(self):
        # The first post of a topic is always its starter's, so the starter is member 1.
        return "Anonymous member 1"


class TopicArea(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="areas")
    area = models.CharField(max_length=40, choices=PracticeArea.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "area"], name="topic_area_once")]


class TopicPseudonym(models.Model):
    """'Anonymous member N': stable for one person within one topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="pseudonyms")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="pseudonym_per_person"),
            models.UniqueConstraint(fields=["topic", "number"], name="pseudonym_number_once"),
        ]


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_anonymous = models.BooleanField(default=False)
    pseudonym = models.PositiveIntegerField(null=True, blank=True)
    source = models.TextField(max_length=20000)
    html = SanitisedHTMLField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=500, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    seq = models.PositiveBigIntegerField()
    thanks_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    # Filled on PostgreSQL only (GIN index added by migration there).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "seq"], name="post_seq_per_topic")]
        indexes = [
            models.Index(fields=["topic", "created_at", "id"], name="post_topic_order"),
            models.Index(fields=["author", "-created_at"], name="post_author_recent"),
        ]

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def pseudonym_label(self):
        return f"Anonymous member {self.pseudonym}" if self.pseudonym else "Anonymous member"


class PostRevision(models.Model):
    """An earlier version of a post, for moderators only."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    source = models.TextField()
    html = SanitisedHTMLField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class FlagReason(models.TextChoices):
    AGREEMENT = "agreement", "Breaks the safe-space agreement"
    IDENTIFYING = "identifying", "Identifies someone who should not be identified"
    ABUSE = "abuse", "Abusive or discriminatory"
    OTHER = "other", "Something else"


class Flag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"

    # The note of a flag upheld by hiding its post starts with this, then the hiding reason.
    HIDDEN_NOTE = "Closed by hiding the post: "

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    detail = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=models.Q(status="open"),
                name="one_open_flag_per_reporter",
            )
        ]

    @property
    def closed_by_hiding(self):
        return self.note.startswith(self.HIDDEN_NOTE)

    @property
    def outcome(self):
        """How the flag was handled, in words for the moderation history."""
        if self.status == self.Status.OPEN:
            return "Open"
        if self.closed_by_hiding:
            return f"Upheld by hiding the post. Reason: {self.note[len(self.HIDDEN_NOTE) :]}"
        label = self.get_status_display()
        return f"{label}. Note: {self.note}" if self.note else label


class Subscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="one_subscription")]


class ReadState(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="read_states")
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="one_read_state")]


class ReactionKind(models.TextChoices):
    THANKS = "thanks", "Thank you"
    HELPFUL = "helpful", "Helpful"


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="one_reaction_per_kind")
        ]


class Reveal(models.Model):
    """A moderator learnt who wrote an anonymous post. Shown to that moderator and the author."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reveals")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)


class Suspension(models.Model):
    """A member may not post in a network's forums until `until`."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["network", "user", "until"], name="suspension_lookup")]
