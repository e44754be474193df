"""The trust layer: people, organisations, networks, invitations, agreements, audit and notices."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from community.fields import SanitisedHTMLField

INVITATION_LIFETIME = timedelta(days=14)


class OrganisationKind(models.TextChoices):
    ACUTE = "acute", "Acute trust"
    MENTAL_HEALTH = "mental_health", "Mental health and learning disability trust"
    COMMUNITY = "community", "Community trust"
    AMBULANCE = "ambulance", "Ambulance trust"
    COMBINED = "combined", "Combined trust"
    ICB = "icb", "Integrated care board or system"
    NATIONAL = "national", "National body"
    OTHER = "other", "Other"


class Region(models.TextChoices):
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"
    EAST = "east", "East of England"
    MIDLANDS = "midlands", "Midlands"
    NORTH_WEST = "north_west", "North West"
    NORTH_EAST = "north_east", "North East and Yorkshire"


class BoardRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    CHIEF_EXECUTIVE = "chief_executive", "Chief executive"
    NED = "ned", "Non-executive director"
    EXECUTIVE_DIRECTOR = "executive_director", "Executive director"
    GOVERNOR = "governor", "Governor"
    EDI_LEAD = "edi_lead", "Equality, diversity and inclusion lead"
    OTHER = "other", "Other"


class PracticeArea(models.TextChoices):
    """The ten areas of good practice (DOMAIN.md), shared by forums and mentoring."""

    ACCOUNTABILITY = "accountability", "Accountability"
    EDUCATION_ON_RACE = "education_on_race", "Education on race"
    SAFE_SPACES = "safe_spaces", "Safe spaces"
    PERSONAL_VALUES = "personal_values", "Personal values and behaviours"
    CHALLENGING_DISCRIMINATION = "challenging_discrimination", "Challenging discrimination"
    CULTURE_OF_CHALLENGE = "culture_of_challenge", "A culture of challenge"
    STAFF_NETWORKS = "staff_networks", "Staff and community networks"
    HR_PROCESSES = "hr_processes", "HR processes"
    USE_OF_DATA = "use_of_data", "Use of data"
    HEALTH_INEQUALITIES = "health_inequalities", "Health inequalities"


class User(AbstractUser):
    """Signs in by e-mail; the username is an internal, meaningless handle."""

    email = models.EmailField("e-mail address", unique=True, null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    @property
    def display_name(self):
        if self.erased_at:
            return "Former member"
        profile = getattr(self, "profile", None)
        return (profile and profile.display_name) or "Member"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    region = models.CharField(max_length=20, choices=Region.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Visibility(models.TextChoices):
    ONLY_ME = "only_me", "Only me"
    STEWARDS = "stewards", "Stewards of my networks"
    NETWORKS = "networks", "Members of my networks"


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    display_name = models.CharField(max_length=80)
    board_role = models.CharField(max_length=30, choices=BoardRole.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    # An organisation not on the list, named by the member ("Other" in the picker). Kept on the
    # profile rather than added to the shared list, which only stewards curate.
    organisation_other = models.CharField(
        "organisation (not on the list)", max_length=200, blank=True
    )
    pronouns = models.CharField(max_length=40, blank=True)
    # Who sees the board role and organisation beside the name (directory, profile, posts).
    work_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.NETWORKS
    )
    bio = models.TextField(blank=True, max_length=4000)
    bio_html = SanitisedHTMLField()
    ethnicity = models.CharField("ethnicity, in your own words", max_length=120, blank=True)
    ethnicity_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.ONLY_ME
    )
    lived_experience = models.TextField(blank=True, max_length=2000)
    lived_experience_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.ONLY_ME
    )

    def __str__(self):
        return self.display_name

    @property
    def organisation_name(self):
        return self.organisation.name if self.organisation_id else self.organisation_other


class Network(models.Model):
    class Listing(models.TextChoices):
        LISTED = "listed", "Listed: members can find it and ask to join"
        UNLISTED = "unlisted", "Unlisted: invitation only, invisible to others"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, max_length=4000)
    description_html = SanitisedHTMLField()
    listing = models.CharField(max_length=10, choices=Listing.choices, default=Listing.UNLISTED)
    requires_two_factor = models.BooleanField(default=False)
    agreement = models.TextField("safe-space agreement", blank=True, max_length=8000)
    agreement_html = SanitisedHTMLField()
    agreement_version = models.PositiveIntegerField(default=1)
    members_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+")
    moderators_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        permissions = [("manage_network", "Run the network as a steward")]

    def __str__(self):
        return self.name

    @property
    def is_listed(self):
        return self.listing == self.Listing.LISTED


class NetworkUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Network, on_delete=models.CASCADE)


class NetworkGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Network, on_delete=models.CASCADE)


class NetworkRole(models.TextChoices):
    MEMBER = "member", "Member"
    MODERATOR = "moderator", "Moderator"
    STEWARD = "steward", "Steward"


def new_token():
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    networks = models.ManyToManyField(Network, blank=True, related_name="invitations")
    role = models.CharField(max_length=10, choices=NetworkRole.choices, default=NetworkRole.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An existing account's answer "no": the token is spent and nothing is joined.
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["email"])]

    @property
    def expires_at(self):
        return self.created_at + INVITATION_LIFETIME

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a steward"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True, max_length=1000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            )
        ]


class AgreementAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    network = models.ForeignKey(Network, on_delete=models.CASCADE)
    version = models.PositiveIntegerField()
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "network", "version"], name="one_acceptance_per_version"
            )
        ]


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Append-only record of a security-relevant act. Never holds message bodies."""

    # Survives erasure: the actor is kept as a pseudonymous id, not a link to a person.
    actor_id = models.BigIntegerField(null=True, blank=True)
    verb = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    subject_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.SET_NULL)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")

    @property
    def is_anonymous(self):
        """An act on anonymous writing: its subject, if recorded, is named only to themselves."""
        return bool(self.detail.get("anonymous"))

    @property
    def pseudonym_label(self):
        return "An anonymous member"


class Notification(models.Model):
    """An in-app notice. `kind` picks a content-free sentence; the target is re-checked on show."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
