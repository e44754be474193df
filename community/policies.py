"""Who may do what in the community, and what each person may see (DESIGN.md: policies.py).

Deny by default: only object grants count (guardian's checker for one network, a join on its
direct-foreign-key grant tables for lists), never a model-level grant or the superuser flag,
so neither a stray global permission nor a superuser opens a network.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from guardian.core import ObjectPermissionChecker

from community.models import AgreementAcceptance, Network
from confide.protocol import SiteApp, site_apps


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active and not user.erased_at


def checker_for(user):
    """One guardian checker per user object (per request or per WebSocket connection)."""
    checker = getattr(user, "_confide_checker", None)
    if checker is None:
        checker = ObjectPermissionChecker(user)
        user._confide_checker = checker
    return checker


def group_ids(user):
    """The user's group ids, read once per user object."""
    ids = getattr(user, "_confide_group_ids", None)
    if ids is None:
        ids = (
            frozenset(user.groups.values_list("id", flat=True)) if _signed_in(user) else frozenset()
        )
        user._confide_group_ids = ids
    return ids


def forget_cached_permissions(user):
    for attr in (
        "_confide_checker",
        "_confide_group_ids",
        "_confide_managed_ids",
        "_confide_open_networks",
        "_confide_must_enrol",
        "_perm_cache",
        "_user_perm_cache",
        "_group_perm_cache",
    ):
        if hasattr(user, attr):
            delattr(user, attr)


def is_member(user, network):
    return network.members_group_id in group_ids(user)


def is_moderator(user, network):
    return network.moderators_group_id in group_ids(user)


def is_steward(user, network):
    if not _signed_in(user):
        return False
    if user.is_superuser:
        # guardian's checker says yes to superusers for everything; ask the grant tables.
        return managed_networks(user).filter(pk=network.pk).exists()
    return checker_for(user).has_perm("manage_network", network)


def is_steward_anywhere(user):
    return _signed_in(user) and managed_networks(user).exists()


def member_networks(user):
    if not _signed_in(user):
        return Network.objects.none()
    return Network.objects.filter(members_group__in=group_ids(user))


def _steward_grant(user, groups):
    """A manage_network grant on the network, to the user or one of their groups."""
    return Q(
        networkuserobjectpermission__user=user,
        networkuserobjectpermission__permission__codename="manage_network",
    ) | Q(
        networkgroupobjectpermission__group__in=groups,
        networkgroupobjectpermission__permission__codename="manage_network",
    )


def managed_network_ids(user):
    """The ids of the networks the user stewards, read once per user object.

    Only object grants count (no global permission, no superuser shortcut), as guardian's
    get_objects_for_user with STRICT would answer; asked directly because that call costs
    about 3 ms of Python each time and several policies ask it on every page.
    """
    ids = getattr(user, "_confide_managed_ids", None)
    if ids is None:
        ids = frozenset()
        if _signed_in(user):
            ids = frozenset(
                Network.objects.filter(_steward_grant(user, group_ids(user)))
                .values_list("pk", flat=True)
                .distinct()
            )
        user._confide_managed_ids = ids
    return ids


def managed_networks(user):
    return Network.objects.filter(pk__in=managed_network_ids(user))


def visible_networks(user):
    """Networks whose inside the user may enter: as a member or as their steward."""
    if not _signed_in(user):
        return Network.objects.none()
    return (member_networks(user) | managed_networks(user)).distinct()


def discoverable_networks(user):
    """Listed networks the user is not in, which they may ask to join."""
    if not _signed_in(user):
        return Network.objects.none()
    return Network.objects.filter(listing=Network.Listing.LISTED).exclude(
        members_group__in=group_ids(user)
    )


def get_network_for_member(user, slug):
    """The network, if the user may enter it; 404 for missing and forbidden alike."""
    network = Network.objects.filter(slug=slug).first()
    if network is None or not (is_member(user, network) or is_steward(user, network)):
        raise Http404("No such network.")
    return network


def get_network_for_joining(user, slug):
    """A listed network the user may ask to join (or already belongs to)."""
    network = Network.objects.filter(slug=slug).first()
    if network is None or not _signed_in(user):
        raise Http404("No such network.")
    if network.is_listed or is_member(user, network) or is_steward(user, network):
        return network
    raise Http404("No such network.")


def get_network_for_steward(user, slug):
    network = Network.objects.filter(slug=slug).first()
    if network is None or not is_steward(user, network):
        raise Http404("No such network.")
    return network


def can_create_network(user):
    return _signed_in(user) and user.has_perm("community.add_network")


def has_accepted_agreement(user, network):
    if not network.agreement:
        return True
    return AgreementAcceptance.objects.filter(
        user=user, network=network, version=network.agreement_version
    ).exists()


def needs_agreement(user, network):
    """Members must accept the current agreement before entering (stewards run it, so no)."""
    return is_member(user, network) and not has_accepted_agreement(user, network)


# The one gate (DESIGN.md rule 11) ---------------------------------------------------------------
# "May this person see this network's content now": every channel that carries a network's
# content (pages, fragments, sockets, search, the library, notices and their e-mails, the live
# session) asks this, in one of its two forms, and nothing else. The session part ("not ended")
# belongs to the channel that holds a session: see session_is_current.


class AgreementRequired(Http404):
    """Refused only because the member has not accepted the current agreement yet.

    An Http404, so a channel that does not know it answers exactly as for a stranger; pages
    turn it into a redirect to the agreement (community.middleware.AgreementGateMiddleware).
    """

    def __init__(self, network):
        super().__init__("No such page.")
        self.network = network


def two_factor_satisfied(user):
    """A condition (usable in any query): TOTP enrolled, or no role that requires it."""
    from allauth.mfa.models import Authenticator

    has_totp = Q(
        Exists(Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP))
    )
    required = Q()
    for role in two_factor_roles(user):
        required |= Q(role)
    return has_totp | ~required


def networks_open_to(user):
    """The networks whose content the user may see now: the gate as a queryset.

    Signed in and active, a member (read from the membership table now, not from cached ids,
    since sockets ask again on every message), the current agreement accepted, and two-factor
    enrolled where any role requires it. Lists and search filter with it in the database.
    """
    if not _signed_in(user):
        return Network.objects.none()
    accepted = AgreementAcceptance.objects.filter(
        user_id=user.pk, network=OuterRef("pk"), version=OuterRef("agreement_version")
    )
    return (
        Network.objects.filter(
            members_group__user__pk=user.pk,
            members_group__user__is_active=True,
            members_group__user__erased_at__isnull=True,
        )
        .filter(Q(agreement="") | Exists(accepted))
        .filter(two_factor_satisfied(user))
    )


def may_see_network_content(user, network):
    """The gate for one network (a Network or its id): one query, cached on the user object.

    Consumers call forget_cached_permissions before asking again, so a socket never trusts an
    answer from an earlier message.
    """
    if not _signed_in(user):
        return False
    network_id = getattr(network, "pk", network)
    answers = getattr(user, "_confide_open_networks", None)
    if answers is None:
        answers = user._confide_open_networks = {}
    if network_id not in answers:
        answers[network_id] = networks_open_to(user).filter(pk=network_id).exists()
    return answers[network_id]


def require_network_content(user, network, message="No such page."):
    """For pages: nothing when the gate is open; AgreementRequired when only the agreement is
    missing (the page redirects to it); otherwise the usual 404 with the caller's message."""
    if may_see_network_content(user, network):
        return
    if needs_agreement(user, network):
        raise AgreementRequired(network)
    raise Http404(message)


def session_is_current(user, session_key):
    """The session part of the gate, for channels that outlive a request (WebSockets).

    The session still exists and has not expired, still belongs to this user, was signed in
    with their current password (Django's session hash: a password change elsewhere ends it),
    and the account is still active. Two queries.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import constant_time_compare

    from community.models import User

    if not session_key or not _signed_in(user):
        return False
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    if data.get(SESSION_KEY) != str(user.pk):
        return False
    current = User.objects.filter(pk=user.pk, is_active=True, erased_at__isnull=True).first()
    return current is not None and constant_time_compare(
        data.get(HASH_SESSION_KEY) or "", current.get_session_auth_hash()
    )


def can_see_profile_field(viewer, profile, visibility):
    """Ethnicity and lived experience: shown only where the member chose (DESIGN.md rule 6)."""
    from community.models import Visibility

    if viewer.pk == profile.user_id:
        return True
    if visibility == Visibility.NETWORKS:
        return member_networks(viewer).filter(members_group__user=profile.user_id).exists()
    if visibility == Visibility.STEWARDS:
        return managed_networks(viewer).filter(members_group__user=profile.user_id).exists()
    return False


def get_member_of_network(viewer, network, user_id):
    """A member's profile inside a network the viewer may enter; 404 otherwise."""
    from community.models import User

    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise Http404("No such member.") from None
    user = (
        User.objects.filter(pk=user_id, groups=network.members_group, erased_at__isnull=True)
        .select_related("profile__organisation")
        .first()
    )
    if user is None:
        raise Http404("No such member.")
    return user


def two_factor_roles(user):
    """Exists() expressions, one per reason the user must use two-factor authentication.

    Stewards, moderators and members of networks that ask for it, then each app's
    `two_factor_roles(user)` hook (events: facilitators). Group membership is joined here
    rather than read from the cached ids, so the whole check is one query.
    """
    groups = user.groups.values("pk")
    roles = [
        Exists(
            Network.objects.filter(
                Q(moderators_group__in=groups)
                | Q(members_group__in=groups, requires_two_factor=True)
                | _steward_grant(user, groups)
            )
        )
    ]
    for app in site_apps():
        roles.extend(app.two_factor_roles(user))
    return roles


def requires_two_factor(user):
    """Stewards, moderators, facilitators and members of networks that ask for it."""
    if not _signed_in(user):
        return False
    return any(_ask(user, two_factor_roles(user)).values())


def must_enrol_in_two_factor(user):
    """Required to use two-factor authentication and no authenticator app yet: one query."""
    from allauth.mfa.models import Authenticator

    if not _signed_in(user):
        return False
    has_totp = Exists(Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP))
    answers = _ask(user, [has_totp, *two_factor_roles(user)])
    return not answers.pop("q0") and any(answers.values())


def _ask(user, expressions):
    """The answers to Exists() expressions about the user, in one query, as {"q0": ...}."""
    from community.models import User

    named = {f"q{i}": expression for i, expression in enumerate(expressions)}
    row = User.objects.filter(pk=user.pk).annotate(**named).values(*named).first()
    return row or dict.fromkeys(named, False)


def visible_notifications(user, limit):
    """The user's latest notices whose target they may still see.

    Targets are fetched one query per kind, with what each app's check reads
    (`notification_target_querysets` hooks), and each distinct target is checked once, so a
    long list costs a handful of queries rather than several per notice.
    """
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    querysets = [
        queryset for app in site_apps() for queryset in app.notification_target_querysets()
    ]
    items = user.notifications.select_related("target_type").prefetch_related(
        GenericPrefetch("target", querysets)
    )[:limit]
    answers = {}
    visible = []
    for notification in items:
        key = (notification.target_type_id, notification.target_id)
        if key not in answers:
            answers[key] = can_see_notification_target(user, notification)
        if answers[key]:
            visible.append(notification)
    return visible


def can_see_notification_target(user, notification):
    """Re-checked on every show and send: the target may have become hidden since."""
    from django.apps import apps

    if notification.target_type_id is None:
        return True
    target = notification.target
    if target is None:
        return False
    config = apps.get_app_config(notification.target_type.app_label)
    return isinstance(config, SiteApp) and bool(config.can_see_notification_target(user, target))


# Pages ------------------------------------------------------------------------------------------


def visible_members(viewer, network):
    """The member directory of a network the viewer has entered: public profile fields only.

    Ethnicity and lived experience are never listed here; the profile page asks
    can_see_profile_field for each.
    """
    from community.models import User

    return (
        User.objects.filter(groups=network.members_group, erased_at__isnull=True)
        .select_related("profile__organisation")
        .order_by("profile__display_name", "pk")
    )


def visible_profile_fields(viewer, profile):
    from community.models import Visibility

    def allowed(visibility):
        if visibility == Visibility.ONLY_ME:
            return viewer.pk == profile.user_id
        return can_see_profile_field(viewer, profile, visibility)

    return {
        "show_ethnicity": bool(profile.ethnicity) and allowed(profile.ethnicity_visibility),
        "show_lived_experience": bool(profile.lived_experience)
        and allowed(profile.lived_experience_visibility),
    }


def own_profile(user):
    from community.models import Profile

    return Profile.objects.filter(user=user).first()


def pending_invitations_for(user):
    """Invitations sent to the user's address that are still usable."""
    from django.utils import timezone

    from community.models import INVITATION_LIFETIME, Invitation

    if not _signed_in(user) or not user.email:
        return Invitation.objects.none()
    return Invitation.objects.filter(
        email__iexact=user.email,
        accepted_at__isnull=True,
        created_at__gt=timezone.now() - INVITATION_LIFETIME,
    ).prefetch_related("networks")


def my_pending_join_requests(user):
    from community.models import JoinRequest

    if not _signed_in(user):
        return JoinRequest.objects.none()
    return JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).select_related(
        "network"
    )


def my_answered_join_requests(user, days=30):
    """The user's requests answered in the last month, with the steward's message."""
    from datetime import timedelta

    from django.utils import timezone

    from community.models import JoinRequest

    if not _signed_in(user):
        return JoinRequest.objects.none()
    return (
        JoinRequest.objects.filter(
            user=user,
            status__in=[JoinRequest.Status.APPROVED, JoinRequest.Status.DECLINED],
            decided_at__gte=timezone.now() - timedelta(days=days),
        )
        .select_related("network")
        .order_by("-decided_at")
    )


def networks_with_pending_requests(user):
    """The steward's networks with join requests waiting, and how many."""
    from django.db.models import Count, Q

    return (
        managed_networks(user)
        .annotate(waiting=Count("join_requests", filter=Q(join_requests__status="pending")))
        .filter(waiting__gt=0)
        .order_by("name")
    )


def pending_join_requests(network):
    from community.models import JoinRequest

    return (
        JoinRequest.objects.filter(network=network, status=JoinRequest.Status.PENDING)
        .select_related("user__profile__organisation")
        .order_by("created_at")
    )


def get_join_request_for_steward(user, network, request_id):
    from community.models import JoinRequest

    join_request = (
        JoinRequest.objects.filter(pk=request_id, network=network).select_related("user").first()
    )
    if join_request is None or not is_steward(user, network):
        raise Http404("No such request.")
    return join_request


def members_with_roles(network):
    """Members of a network with `is_moderator` and `is_steward`, in one query."""
    from django.db.models import Exists, OuterRef

    from community.models import NetworkUserObjectPermission, User

    moderators = User.groups.through.objects.filter(
        user=OuterRef("pk"), group=network.moderators_group_id
    )
    stewards = NetworkUserObjectPermission.objects.filter(
        user=OuterRef("pk"), content_object=network, permission__codename="manage_network"
    )
    return (
        User.objects.filter(groups=network.members_group, erased_at__isnull=True)
        .select_related("profile__organisation")
        .annotate(is_moderator=Exists(moderators), is_steward=Exists(stewards))
        .order_by("profile__display_name", "pk")
    )


def _with_actor_names(events):
    """Audit events with `actor_name`: a display name, "Former member" or "The system"."""
    from community.models import User

    events = list(events)
    ids = {e.actor_id for e in events if e.actor_id} | {
        e.subject_user_id for e in events if e.subject_user_id
    }
    people = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("profile")}

    def name(user_id):
        if user_id is None:
            return "The system"
        person = people.get(user_id)
        return person.display_name if person else "Former member"

    for event in events:
        event.actor_name = name(event.actor_id)
        event.subject_name = name(event.subject_user_id) if event.subject_user_id else ""
    return events


def audit_trail_for_steward(network, limit=200):
    """A network's audit trail, for its stewards (the view has checked that)."""
    from community.models import AuditEvent

    return _with_actor_names(AuditEvent.objects.filter(network=network)[:limit])


def audit_events_about(user, limit=200):
    """What the audit log holds about the user: acts by them or about them."""

    from community.models import AuditEvent

    return _with_actor_names(
        AuditEvent.objects.filter(Q(subject_user_id=user.pk) | Q(actor_id=user.pk))
        .select_related("network")
        .distinct()[:limit]
    )
