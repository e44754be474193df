"""Who may do what in the community, and what each person may see (DESIGN.md: policies.py).

Deny by default: only object grants count (guardian's checker for one network, a join on its
direct-foreign-key grant tables for lists), never a model-level grant or the superuser flag,
so neither a stray global permission nor a superuser opens a network.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from guardian.core import ObjectPermissionChecker

from community.models import AgreementAcceptance, Network
from community.parsing import parse_id
from confide.protocol import SiteApp, site_apps

VIEW_NETWORK, MANAGE_NETWORK = "view_network", "manage_network"
# Full names for guardian's assign_perm/remove_perm, which the services call when they grant.
VIEW_NETWORK_PERM = f"community.{VIEW_NETWORK}"
MANAGE_NETWORK_PERM = f"community.{MANAGE_NETWORK}"


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
    """The user's group ids: from the per-user cache (community/usercache.py), whose versioned
    key every membership change replaces."""
    if not _signed_in(user):
        return frozenset()
    from community import usercache

    return usercache.facts(user)["group_ids"]


def read_group_ids(user):
    """The user's group ids from the database (what usercache stores)."""
    return frozenset(user.groups.values_list("id", flat=True))


def forget_cached_permissions(user):
    for attr in (
        "_confide_checker",
        "_confide_group_ids",
        "_confide_managed_ids",
        "_confide_co_members",
        "_confide_stewarded_members",
        "_confide_open_networks",
        "_confide_must_enrol",
        "_confide_facts",
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
    # The grant tables, as guardian's checker would ask them (but never its superuser "yes"),
    # read from the per-user cache every page shares: no query on a warm request.
    return network.pk in managed_network_ids(user)


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
        networkuserobjectpermission__permission__codename=MANAGE_NETWORK,
    ) | Q(
        networkgroupobjectpermission__group__in=groups,
        networkgroupobjectpermission__permission__codename=MANAGE_NETWORK,
    )


def managed_network_ids(user):
    """The ids of the networks the user stewards, from the per-user cache (usercache.py)."""
    if not _signed_in(user):
        return frozenset()
    from community import usercache

    return usercache.facts(user)["managed_ids"]


def read_managed_network_ids(user):
    """The stewarded network ids from the database (what usercache stores).

    Only object grants count (no global permission, no superuser shortcut), as guardian's
    get_objects_for_user with STRICT would answer; asked directly because that call costs
    about 3 ms of Python each time and several policies ask it on every page.
    """
    return frozenset(
        Network.objects.filter(_steward_grant(user, user.groups.values("pk")))
        .values_list("pk", flat=True)
        .distinct()
    )


def managed_networks(user):
    return Network.objects.filter(pk__in=managed_network_ids(user))


def _stewards_q(networks):
    """People holding a manage_network grant of their own on one of `networks` (a queryset).

    Only personal grants name a steward to tell things to (a group grant names no one), as
    guardian's get_users_with_perms(with_group_users=False) answers.
    """
    from community.models import NetworkUserObjectPermission

    return Q(
        pk__in=NetworkUserObjectPermission.objects.filter(
            content_object__in=networks, permission__codename=MANAGE_NETWORK
        ).values("user_id"),
        erased_at__isnull=True,
    )


def stewards_of(network):
    """The network's stewards, to notify: one query."""
    from community.models import User

    return User.objects.filter(_stewards_q(Network.objects.filter(pk=network.pk)))


def stewards_of_members_networks(user):
    """Stewards of the networks `user` belongs to, other than the user: one query."""
    from community.models import User

    networks = Network.objects.filter(members_group__user=user)
    return User.objects.filter(_stewards_q(networks)).exclude(pk=user.pk)


def visible_networks(user):
    """Networks whose inside the user may enter: as a member or as their steward."""
    if not _signed_in(user):
        return Network.objects.none()
    return (member_networks(user) | managed_networks(user)).distinct()


def nameable_networks(user):
    """Networks whose name the user may be shown: listed ones, ones they belong to or run, and
    ones a usable invitation to them names (so they know what they are asked to join).

    An unlisted network's existence is itself confidential: every list of networks shown to a
    person (pages, calendar files, e-mails, exports) passes through `networks_visible_in`.
    """
    if not _signed_in(user):
        return Network.objects.none()
    from community.models import Invitation

    invited = Invitation.networks.through.objects.filter(
        invitation__in=pending_invitations_for(user).values("pk")
    ).values("network_id")
    return Network.objects.filter(
        Q(listing=Network.Listing.LISTED)
        | Q(members_group__in=group_ids(user))
        | Q(pk__in=managed_network_ids(user))
        | Q(pk__in=invited)
    )


def networks_visible_in(user, networks):
    """Of `networks` (a queryset), those whose name the user may be shown."""
    return networks.filter(pk__in=nameable_networks(user).values("pk"))


def networks_named_in_rows(user, rows):
    """Rows (a queryset with a `network`) whose network the user may be shown by name."""
    return rows.filter(network__in=nameable_networks(user).values("pk"))


def discoverable_networks(user):
    """Listed networks the user is not in and does not run, which they may ask to join."""
    if not _signed_in(user):
        return Network.objects.none()
    return (
        Network.objects.filter(listing=Network.Listing.LISTED)
        .exclude(members_group__in=group_ids(user))
        .exclude(pk__in=managed_network_ids(user))
    )


def may_ask_to_join(user, network):
    """Asking to join is for outsiders: never a member, never a steward of the network."""
    return network.is_listed and not is_member(user, network) and not is_steward(user, network)


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


def _in_networks(viewer, user_ids, networks, attr):
    """{user id: is a member of one of `networks`} for these people, cached on the viewer."""
    from community.models import User

    cache = getattr(viewer, attr, None)
    if cache is None:
        cache = {}
        setattr(viewer, attr, cache)
    missing = {pk for pk in user_ids if pk not in cache}
    if missing:
        found = set(
            User.groups.through.objects.filter(
                user_id__in=missing, group_id__in=networks.values("members_group")
            ).values_list("user_id", flat=True)
        )
        for pk in missing:
            cache[pk] = pk in found
    return cache


def prefetch_profile_visibility(viewer, profiles, field="work_visibility"):
    """Answer can_see_profile_field for many profiles' `field` at once: a query per level of
    visibility they chose, not per person (lists, topic pages)."""
    from community.models import Visibility

    if not _signed_in(viewer):
        return
    chosen = {}
    for profile in profiles:
        if profile is not None and profile.user_id != viewer.pk:
            chosen.setdefault(getattr(profile, field), set()).add(profile.user_id)
    if chosen.get(Visibility.NETWORKS):
        networks = member_networks(viewer)
        _in_networks(viewer, chosen[Visibility.NETWORKS], networks, "_confide_co_members")
    if chosen.get(Visibility.STEWARDS):
        networks = managed_networks(viewer)
        _in_networks(viewer, chosen[Visibility.STEWARDS], networks, "_confide_stewarded_members")


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
    """A profile field shown only where the member chose (DESIGN.md rule 6): ethnicity, lived
    experience, and the board role and organisation beside their name."""
    from community.models import Visibility

    if viewer.pk == profile.user_id:
        return True
    if not _signed_in(viewer):
        return False
    if visibility == Visibility.NETWORKS:
        networks, attr = member_networks(viewer), "_confide_co_members"
    elif visibility == Visibility.STEWARDS:
        networks, attr = managed_networks(viewer), "_confide_stewarded_members"
    else:
        return False
    return _in_networks(viewer, [profile.user_id], networks, attr)[profile.user_id]


def get_member_of_network(viewer, network, user_id):
    """A member's profile inside a network the viewer may enter; 404 otherwise."""
    from community.models import User

    user_id = parse_id(user_id)
    if user_id is None:
        raise Http404("No such member.")
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


def has_authenticator_app(user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def welcome_step(user, *, two_factor_offered):
    """Where a newcomer goes next after sign-up: ("agreement", network), ("enrol", None),
    ("offer", None) or ("home", network or None).

    Each network's agreement first, then two-factor set-up where a role or network requires
    it (or the offer of it to everyone else, once), then the network itself.
    """
    networks = list(member_networks(user).order_by("name"))
    for network in networks:
        if not has_accepted_agreement(user, network):
            return "agreement", network
    if must_enrol_in_two_factor(user):
        return "enrol", None
    if not two_factor_offered and not has_authenticator_app(user):
        return "offer", None
    return "home", networks[0] if networks else None


def _ask(user, expressions):
    """The answers to Exists() expressions about the user, in one query, as {"q0": ...}."""
    from community.models import User

    named = {f"q{i}": expression for i, expression in enumerate(expressions)}
    row = User.objects.filter(pk=user.pk).annotate(**named).values(*named).first()
    return row or dict.fromkeys(named, False)


def visible_notifications(user, limit):
    """The user's latest notices whose target they may still see, each with its `text`.

    Targets are fetched one query per kind, with what each app's check reads
    (`notification_target_querysets` hooks), and each distinct target is checked once, so a
    long list costs a handful of queries rather than several per notice.
    """
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    from community import usercache

    if not _signed_in(user) or not usercache.facts(user)["has_notices"]:
        return []  # no notice at all (the cached fact a new notice's save replaces): no query
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
            notification.text = notice_text(user, notification)
            visible.append(notification)
    return visible


def notice_text(viewer, notification):
    """What a notice says in the app: the target's app names what happened and where, if it
    can; otherwise the content-free sentence that e-mails use. Call on visible notices only."""
    from django.apps import apps

    from community import notices

    if notification.target_type_id is not None:
        config = apps.get_app_config(notification.target_type.app_label)
        if isinstance(config, SiteApp):
            text = config.describe_notification(viewer, notification)
            if text:
                return text
    return notices.sentence(notification.kind)


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
    """The member directory of a network the viewer has entered, each with `label` and
    `byline` (board role and organisation, where the member allows).

    Ethnicity and lived experience are never listed here; the profile page asks
    can_see_profile_field for each.
    """
    from community.models import User

    members = list(
        User.objects.filter(groups=network.members_group, erased_at__isnull=True)
        .select_related("profile__organisation")
        .order_by("profile__display_name", "pk")
    )
    prefetch_profile_visibility(viewer, [getattr(m, "profile", None) for m in members])
    for member in members:
        member.label = person_label(viewer, member)
        member.byline = person_byline(viewer, member)
    return members


def visible_profile_fields(viewer, profile):
    from community.models import Visibility

    def allowed(visibility):
        if visibility == Visibility.ONLY_ME:
            return viewer.pk == profile.user_id
        return can_see_profile_field(viewer, profile, visibility)

    return {
        "show_work": allowed(profile.work_visibility),
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
        declined_at__isnull=True,
        created_at__gt=timezone.now() - INVITATION_LIFETIME,
    ).prefetch_related("networks")


def invited_address_has_account(invitation):
    """Asked only by the invitation page, whose visitor holds the token sent to that address
    (sign in to answer, or sign up); never shown to the steward who invited."""
    from community.models import User

    return User.objects.filter(email__iexact=invitation.email, erased_at__isnull=True).exists()


def my_pending_join_requests(user):
    from community.models import JoinRequest

    if not _signed_in(user):
        return JoinRequest.objects.none()
    return networks_named_in_rows(
        user,
        JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).select_related(
            "network"
        ),
    )


def my_answered_join_requests(user, days=30):
    """The user's requests answered in the last month, with the steward's message."""
    from datetime import timedelta

    from django.utils import timezone

    from community.models import JoinRequest

    if not _signed_in(user):
        return JoinRequest.objects.none()
    return networks_named_in_rows(
        user,
        JoinRequest.objects.filter(
            user=user,
            status__in=[JoinRequest.Status.APPROVED, JoinRequest.Status.DECLINED],
            decided_at__gte=timezone.now() - timedelta(days=days),
        )
        .select_related("network")
        .order_by("-decided_at"),
    )


def my_join_requests(user, days=30):
    """(pending, answered in the last `days`) from one query: the two lists above, as the
    dashboard shows them on every visit."""
    from datetime import timedelta

    from django.utils import timezone

    from community.models import JoinRequest

    if not _signed_in(user):
        return [], []
    since = timezone.now() - timedelta(days=days)
    rows = networks_named_in_rows(
        user,
        JoinRequest.objects.filter(user=user)
        .filter(
            Q(status=JoinRequest.Status.PENDING)
            | Q(
                status__in=[JoinRequest.Status.APPROVED, JoinRequest.Status.DECLINED],
                decided_at__gte=since,
            )
        )
        .select_related("network")
        .order_by("-decided_at", "pk"),
    )
    pending, answered = [], []
    for row in rows:
        (pending if row.status == JoinRequest.Status.PENDING else answered).append(row)
    return pending, answered


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
        user=OuterRef("pk"), content_object=network, permission__codename=MANAGE_NETWORK
    )
    return (
        User.objects.filter(groups=network.members_group, erased_at__isnull=True)
        .select_related("profile__organisation")
        .annotate(is_moderator=Exists(moderators), is_steward=Exists(stewards))
        .order_by("profile__display_name", "pk")
    )


# Names: one label for a person (DESIGN.md confidentiality rule 12) ----------------------------

FORMER_MEMBER = "Former member"
THE_SYSTEM = "The system"
YOU_ANONYMOUS = "You (anonymous)"


def person_label(viewer, person, *, anonymous_in=None):
    """The name `viewer` may see for `person`: every place that names someone asks here.

    `person` is a user, or None for an account that no longer exists; where the person may be
    anonymous it may be their id, so that no one's row is read unless a name is shown. People
    are named by their display name, never a username or an address. `anonymous_in` is what may
    make the
    person anonymous here (a post, a topic, an audit event about anonymous writing): when it is
    anonymous, the person sees "You (anonymous)", a moderator who revealed it through the
    audited reveal sees its pseudonym with the name, and everyone else only the pseudonym.
    """
    if anonymous_in is not None and getattr(anonymous_in, "is_anonymous", False):
        pseudonym = anonymous_in.pseudonym_label
        person_id = getattr(person, "pk", person)
        if person_id is not None and viewer is not None and viewer.pk == person_id:
            return YOU_ANONYMOUS
        if person_id is not None and _has_revealed(viewer, anonymous_in):
            return f"{pseudonym} (revealed to you: {_display_name(person)})"
        return pseudonym
    return _display_name(person)


def _display_name(person):
    if isinstance(person, int):
        from community.models import User

        person = User.objects.select_related("profile").filter(pk=person).first()
    return person.display_name if person is not None else FORMER_MEMBER


def person_byline(viewer, person, *, anonymous_in=None):
    """Board role and organisation beside a name, where the person's choice lets `viewer` see
    them; never for anonymous writing, which they would help to identify."""
    if anonymous_in is not None and getattr(anonymous_in, "is_anonymous", False):
        return ""
    if person is None or person.erased_at:
        return ""
    profile = getattr(person, "profile", None)
    if profile is None or not can_see_profile_field(viewer, profile, profile.work_visibility):
        return ""
    parts = [
        profile.get_board_role_display() if profile.board_role else "",
        profile.organisation.name if profile.organisation_id else "",
    ]
    return ", ".join(part for part in parts if part)


def _has_revealed(viewer, content):
    """Asked of the app that owns the content (forums: a Reveal by this moderator)."""
    from django.apps import apps

    if not _signed_in(viewer):
        return False
    config = apps.get_app_config(content._meta.app_label)
    return isinstance(config, SiteApp) and bool(config.has_revealed(viewer, content))


def _anonymous_targets(events):
    """(target_type, target_id) of events whose target is anonymous writing, per its own row.

    Services mark such events when they write them; this also catches a row written without
    the mark, so that no audit row can name an anonymous author. One query per target model.
    """
    from django.apps import apps

    wanted = {}
    for event in events:
        if event.subject_user_id and event.target_type and event.target_id:
            wanted.setdefault(event.target_type, set()).add(event.target_id)
    found = set()
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        if not any(f.name == "is_anonymous" for f in model._meta.fields):
            continue
        for pk in model._default_manager.filter(pk__in=ids, is_anonymous=True).values_list(
            "pk", flat=True
        ):
            found.add((label, pk))
    return found


def audit_rows(viewer, events):
    """Audit events for `viewer`, each with `actor_name`, `subject_name` and `sentence`.

    Every name comes from person_label, so an anonymous author is named in no row but to
    themselves; a fixed number of queries however many rows.
    """
    from community import audit_text
    from community.models import User

    events = list(events)
    ids = {e.actor_id for e in events if e.actor_id} | {
        e.subject_user_id for e in events if e.subject_user_id
    }
    people = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("profile")}
    anonymous = _anonymous_targets(events)
    for event in events:
        if (event.target_type, event.target_id) in anonymous:
            event.detail = {**event.detail, "anonymous": True}  # for this display only
        actor = people.get(event.actor_id)
        event.actor_name = THE_SYSTEM if event.actor_id is None else person_label(viewer, actor)
        event.subject_name = (
            person_label(viewer, people.get(event.subject_user_id), anonymous_in=event)
            if event.subject_user_id
            else ""
        )
        event.sentence = audit_text.sentence(
            event, actor=event.actor_name, subject=event.subject_name
        )
    return events


def _filtered_audit(events, *, kind=None, since=None, until=None):
    from community import audit_text

    if kind:
        events = events.filter(audit_text.kind_filter(kind))
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events


def audit_trail_for_steward(viewer, network, *, kind=None, since=None, until=None, limit=200):
    """A network's audit trail, for its stewards (the view has checked that)."""
    from community.models import AuditEvent

    events = _filtered_audit(
        AuditEvent.objects.filter(network=network), kind=kind, since=since, until=until
    )
    return audit_rows(viewer, events[:limit])


def audit_events_about(user, *, kind=None, since=None, until=None, limit=200):
    """What the audit log holds about the user: acts by them or about them."""

    from community.models import AuditEvent

    events = _filtered_audit(
        AuditEvent.objects.filter(Q(subject_user_id=user.pk) | Q(actor_id=user.pk)),
        kind=kind,
        since=since,
        until=until,
    )
    return audit_rows(user, events.select_related("network").distinct()[:limit])
