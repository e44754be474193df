"""Every action that changes the community's state (DESIGN.md: services.py).

Each public function checks the policy, writes inside a transaction, audits, and schedules
e-mail and live messages with transaction.on_commit.
"""

import logging

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from community import live, policies, tasks
from community.models import (
    AgreementAcceptance,
    AuditEvent,
    Invitation,
    JoinRequest,
    Network,
    NetworkRole,
    Notification,
    Profile,
)
from community.parsing import is_token
from community.text import render_markdown

logger = logging.getLogger(__name__)


class CommunityError(Exception):
    """A refusal a person can read."""


# Audit and notification -------------------------------------------------------------------


def audit(*, actor, verb, target=None, network=None, subject=None, **detail):
    """Append one audit event. `detail` holds ids and short labels, never message bodies."""
    return AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None),
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=getattr(target, "pk", None),
        subject_user_id=getattr(subject, "pk", subject),
        network=network,
        detail=detail,
    )


def notify(*, user, kind, url, target=None, email=True):
    """Tell a user something happened: in-app now, by e-mail after commit, content-free."""
    if user.erased_at or not user.is_active:
        return None
    notification = Notification.objects.create(user=user, kind=kind, url=url, target=target)
    live.send_after_commit(live.user_group(user.pk), {"type": "notification.new"})
    if email:
        transaction.on_commit(lambda: tasks.send_notification_email.enqueue(notification.pk))
    return notification


def mark_notification_read(*, actor, notification):
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        live.send_after_commit(live.user_group(actor.pk), {"type": "notification.new"})


def mark_all_notifications_read(*, actor):
    actor.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    live.send_after_commit(live.user_group(actor.pk), {"type": "notification.new"})


# Networks -----------------------------------------------------------------------------------


@transaction.atomic
def create_network(
    *,
    actor,
    name,
    slug,
    description="",
    listing=Network.Listing.UNLISTED,
    requires_two_factor=False,
    agreement="",
):
    """Create a network with its two groups and their object permissions (DESIGN.md)."""
    if actor is not None and not policies.can_create_network(actor):
        raise CommunityError("You cannot create networks.")
    if Network.objects.filter(slug=slug).exists():
        raise CommunityError("A network with that short name already exists.")
    members = Group.objects.create(name=f"network:{slug}:members")
    moderators = Group.objects.create(name=f"network:{slug}:moderators")
    network = Network.objects.create(
        name=name,
        slug=slug,
        description=description,
        description_html=render_markdown(description),
        listing=listing,
        requires_two_factor=requires_two_factor,
        agreement=agreement,
        agreement_html=render_markdown(agreement),
        members_group=members,
        moderators_group=moderators,
    )
    assign_perm(policies.VIEW_NETWORK_PERM, members, network)
    assign_perm(policies.VIEW_NETWORK_PERM, moderators, network)
    if actor is not None:
        assign_perm(policies.MANAGE_NETWORK_PERM, actor, network)
    audit(actor=actor, verb="network.create", target=network, network=network)
    return network


@transaction.atomic
def update_network(*, actor, network, name, description, listing, requires_two_factor):
    _require_steward(actor, network)
    network.name = name
    network.description = description
    network.description_html = render_markdown(description)
    network.listing = listing
    network.requires_two_factor = requires_two_factor
    network.save()
    audit(
        actor=actor,
        verb="network.update",
        target=network,
        network=network,
        listing=listing,
        requires_two_factor=requires_two_factor,
    )
    return network


@transaction.atomic
def update_agreement(*, actor, network, text):
    """A new version asks every member to accept again."""
    _require_steward(actor, network)
    network.agreement = text
    network.agreement_html = render_markdown(text)
    network.agreement_version += 1
    network.save(update_fields=["agreement", "agreement_html", "agreement_version"])
    audit(
        actor=actor,
        verb="network.agreement_update",
        target=network,
        network=network,
        version=network.agreement_version,
    )
    for member in network.members_group.user_set.filter(erased_at__isnull=True):
        notify(user=member, kind="agreement_changed", url=_network_url(network), target=network)
    return network


@transaction.atomic
def accept_agreement(*, actor, network):
    if not policies.is_member(actor, network):
        raise CommunityError("Only members accept a network's agreement.")
    AgreementAcceptance.objects.get_or_create(
        user=actor, network=network, version=network.agreement_version
    )
    audit(
        actor=actor,
        verb="network.agreement_accept",
        target=network,
        network=network,
        subject=actor,
        version=network.agreement_version,
    )


def _require_steward(actor, network):
    if actor is not None and not policies.is_steward(actor, network):
        raise CommunityError("Only the network's stewards can do that.")


def _network_url(network):
    from django.urls import reverse

    return reverse("community:network", args=[network.slug])


@transaction.atomic
def add_member(*, actor, network, user, role=NetworkRole.MEMBER):
    """Join = add to the members group; moderators and stewards are members too."""
    _require_steward(actor, network)
    if user.erased_at:
        raise CommunityError("That account no longer exists.")
    was_member = policies.is_member(user, network)
    user.groups.add(network.members_group)
    if role == NetworkRole.MODERATOR:
        user.groups.add(network.moderators_group)
    elif role == NetworkRole.STEWARD:
        assign_perm(policies.MANAGE_NETWORK_PERM, user, network)
    policies.forget_cached_permissions(user)
    audit(
        actor=actor, verb="membership.add", target=network, network=network, subject=user, role=role
    )
    if not was_member and actor is not None and actor != user:
        notify(user=user, kind="added_to_network", url=_network_url(network), target=network)


@transaction.atomic
def remove_member(*, actor, network, user):
    """Leave = remove from the network's groups and its steward grant; live connections close."""
    _require_steward(actor, network)
    if actor == user and policies.is_steward(user, network):
        raise CommunityError(
            "Ask another steward to remove you, so the network is never left without one."
        )
    user.groups.remove(network.members_group, network.moderators_group)
    remove_perm(policies.MANAGE_NETWORK_PERM, user, network)
    policies.forget_cached_permissions(user)
    audit(actor=actor, verb="membership.remove", target=network, network=network, subject=user)
    live.revoke_network_connections(user.pk, network.pk)
    notify(user=user, kind="removed_from_network", url="", email=True)


@transaction.atomic
def set_moderator(*, actor, network, user, moderator):
    _require_steward(actor, network)
    if not policies.is_member(user, network):
        raise CommunityError("Only members can be moderators.")
    if moderator:
        user.groups.add(network.moderators_group)
    else:
        user.groups.remove(network.moderators_group)
    policies.forget_cached_permissions(user)
    audit(
        actor=actor,
        verb="moderator.grant" if moderator else "moderator.revoke",
        target=network,
        network=network,
        subject=user,
    )
    notify(user=user, kind="role_changed", url=_network_url(network), target=network)


@transaction.atomic
def set_steward(*, actor, network, user, steward):
    _require_steward(actor, network)
    if steward:
        assign_perm(policies.MANAGE_NETWORK_PERM, user, network)
    else:
        if actor == user:
            raise CommunityError("Ask another steward to do that.")
        remove_perm(policies.MANAGE_NETWORK_PERM, user, network)
    policies.forget_cached_permissions(user)
    audit(
        actor=actor,
        verb="steward.grant" if steward else "steward.revoke",
        target=network,
        network=network,
        subject=user,
    )


# Join requests --------------------------------------------------------------------------------


@transaction.atomic
def request_to_join(*, actor, network, message=""):
    if not network.is_listed:
        raise CommunityError("This network is by invitation only.")
    if policies.is_member(actor, network):
        raise CommunityError("You are already a member.")
    if not policies.may_ask_to_join(actor, network):
        raise CommunityError("You run this network already.")
    existing = JoinRequest.objects.filter(
        network=network, user=actor, status=JoinRequest.Status.PENDING
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(network=network, user=actor, message=message)
    except IntegrityError:
        return JoinRequest.objects.get(
            network=network, user=actor, status=JoinRequest.Status.PENDING
        )
    audit(actor=actor, verb="join_request.create", target=network, network=network, subject=actor)
    from django.urls import reverse

    for steward in policies.stewards_of(network):
        notify(
            user=steward,
            kind="join_request",
            url=reverse("community:steward_requests", args=[network.slug]),
            target=network,
        )
    return join_request


@transaction.atomic
def decide_join_request(*, actor, join_request, approve, reply=""):
    network = join_request.network
    _require_steward(actor, network)
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise CommunityError("This request has already been answered.")
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.reply = reply
    join_request.save()
    audit(
        actor=actor,
        verb="join_request.approve" if approve else "join_request.decline",
        target=network,
        network=network,
        subject=join_request.user,
    )
    if approve:
        join_request.user.groups.add(network.members_group)
        policies.forget_cached_permissions(join_request.user)
        audit(
            actor=actor,
            verb="membership.add",
            target=network,
            network=network,
            subject=join_request.user,
            role=NetworkRole.MEMBER,
        )
        notify(
            user=join_request.user, kind="join_approved", url=_network_url(network), target=network
        )
    else:
        from django.urls import reverse

        notify(user=join_request.user, kind="join_declined", url=reverse("community:dashboard"))
    return join_request


# Invitations --------------------------------------------------------------------------------


def find_usable_invitation(token):
    if not is_token(token):
        return None
    invitation = Invitation.objects.filter(
        token=token, accepted_at__isnull=True, declined_at__isnull=True
    ).first()
    if invitation is None or invitation.is_expired:
        return None
    return invitation


@transaction.atomic
def invite(*, actor, email, networks, role=NetworkRole.MEMBER):
    """Invite one address to the site and to networks the actor runs."""
    email = email.strip().lower()
    validate_email(email)
    for network in networks:
        _require_steward(actor, network)
    if role == NetworkRole.STEWARD and actor is not None:
        raise CommunityError("Make a steward from the member list, once they have joined.")
    invitation = Invitation.objects.create(email=email, invited_by=actor, role=role)
    invitation.networks.set(networks)
    audit(
        actor=actor,
        verb="invitation.create",
        target=invitation,
        network=networks[0] if len(networks) == 1 else None,
        networks=[n.pk for n in networks],
        role=role,
    )
    transaction.on_commit(lambda: tasks.send_invitation_email.enqueue(invitation.pk))
    return invitation


def invite_many(*, actor, emails_text, networks, role=NetworkRole.MEMBER):
    """Several addresses pasted at once; each gets its own result line.

    Every address gets an invitation the person accepts or declines, whether or not it already
    has an account: nobody joins a network without saying yes, and the steward's answer is the
    same either way, so the page never tells which addresses have accounts.
    """
    results = []
    seen = set()
    for raw in emails_text.replace(";", "\n").replace(",", "\n").splitlines():
        email = raw.strip().lower()
        if not email or email in seen:
            continue
        seen.add(email)
        try:
            validate_email(email)
        except ValidationError:
            results.append((email, False, "This is not a valid e-mail address."))
            continue
        invite(actor=actor, email=email, networks=networks, role=role)
        results.append((email, True, "Invitation sent."))
    return results


class InvitationProblem(CommunityError):
    pass


def check_invitation(token, email=None):
    """The invitation for a token, or a readable reason it cannot be used."""
    # A token is checked for shape before any query: a NUL in a path is refused by PostgreSQL.
    invitation = Invitation.objects.filter(token=token).first() if is_token(token) else None
    if invitation is None:
        raise InvitationProblem(
            "This invitation link is not valid. Check that you copied all of "
            "it, or ask the person who invited you for a new one."
        )
    if invitation.accepted_at is not None or invitation.declined_at is not None:
        raise InvitationProblem(
            "This invitation has already been used. If it was you, sign in "
            "with your e-mail address and password."
        )
    if invitation.is_expired:
        raise InvitationProblem(
            "This invitation has expired. Invitations last 14 days; ask the "
            "person who invited you to send a new one."
        )
    if email is not None and email.strip().lower() != invitation.email.lower():
        raise InvitationProblem(
            "This invitation was sent to a different e-mail address. Use the "
            "address the invitation was sent to."
        )
    return invitation


@transaction.atomic
def accept_invitation(*, invitation, user):
    """Called when the invited person's account exists: join the networks, spend the token."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation(invitation.token, user.email)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    Profile.objects.get_or_create(user=user, defaults={"display_name": user.email.split("@")[0]})
    for network in invitation.networks.all():
        user.groups.add(network.members_group)
        if invitation.role == NetworkRole.MODERATOR:
            user.groups.add(network.moderators_group)
        audit(
            actor=invitation.invited_by,
            verb="membership.add",
            target=network,
            network=network,
            subject=user,
            role=invitation.role,
            via="invitation",
        )
    policies.forget_cached_permissions(user)
    audit(actor=user, verb="invitation.accept", target=invitation, subject=user)
    return invitation


@transaction.atomic
def decline_invitation(*, invitation, user):
    """The invited account says no: the token is spent, nothing is joined, nobody is told."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation(invitation.token, user.email)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    audit(actor=user, verb="invitation.decline", target=invitation, subject=user)
    return invitation


# Profiles -------------------------------------------------------------------------------------


PROFILE_FIELDS = [
    "display_name",
    "board_role",
    "organisation",
    "work_visibility",
    "organisation_other",
    "pronouns",
    "bio",
    "ethnicity",
    "ethnicity_visibility",
    "lived_experience",
    "lived_experience_visibility",
]


@transaction.atomic
def update_profile(*, actor, **fields):
    profile, _ = Profile.objects.get_or_create(user=actor, defaults={"display_name": "Member"})
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(profile, name, fields[name])
    profile.bio_html = render_markdown(profile.bio)
    profile.save()
    return profile


# Sessions -------------------------------------------------------------------------------------
# Ending a session closes its WebSockets at once on every daphne process (a bell over the
# channel layer, after commit); consumers also check their session before each message.


def end_session(*, session_key):
    """Sign-out: the session's open sockets close."""
    if session_key:
        live.end_session_connections(session_key)


def end_sessions(*, actor, sessions):
    """Sessions ended from allauth's session list (by their owner, or an administrator)."""
    for session in sessions:
        session_key, user_id = session.session_key, session.user_id
        session.end()
        audit(actor=actor, verb="account.session_end", subject=user_id)
        live.end_session_connections(session_key)


def password_changed(*, user):
    """A new password ends the user's other sessions (Django's session hash no longer
    matches); each open socket checks its own session and closes if it was one of them."""
    live.check_session_connections(user.pk)
