"""Who may do what in the community, and what each person may see (DESIGN.md: policies.py).

Deny by default: guardian is always asked with accept_global_perms=False and
with_superuser=False, so neither a stray model-level grant nor a superuser opens a network.
"""

from django.http import Http404
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from community.models import AgreementAcceptance, Network

STRICT = {"accept_global_perms": False, "with_superuser": False}


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
    return _signed_in(user) and checker_for(user).has_perm("manage_network", network)


def is_steward_anywhere(user):
    return _signed_in(user) and managed_networks(user).exists()


def member_networks(user):
    if not _signed_in(user):
        return Network.objects.none()
    return Network.objects.filter(members_group__in=group_ids(user))


def managed_networks(user):
    if not _signed_in(user):
        return Network.objects.none()
    return get_objects_for_user(user, "community.manage_network", Network, **STRICT)


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


def can_manage_network(user, network):
    return is_steward(user, network)


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

    user = (
        User.objects.filter(pk=user_id, groups=network.members_group, erased_at__isnull=True)
        .select_related("profile__organisation")
        .first()
    )
    if user is None:
        raise Http404("No such member.")
    return user


def requires_two_factor(user):
    """Stewards, moderators, facilitators and members of networks that ask for it."""
    from django.apps import apps

    if not _signed_in(user):
        return False
    if managed_networks(user).exists():
        return True
    if Network.objects.filter(moderators_group__in=group_ids(user)).exists():
        return True
    if member_networks(user).filter(requires_two_factor=True).exists():
        return True
    for config in apps.get_app_configs():
        check = getattr(config, "requires_two_factor", None)
        if check is not None and check(user):
            return True
    return False


def can_see_notification_target(user, notification):
    """Re-checked on every show and send: the target may have become hidden since."""
    from django.apps import apps

    if notification.target_type_id is None:
        return True
    target = notification.target
    if target is None:
        return False
    config = apps.get_app_config(notification.target_type.app_label)
    check = getattr(config, "can_see_notification_target", None)
    return bool(check and check(user, target))
