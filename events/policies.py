"""Who may see, register for, facilitate and run events (CONVENTIONS.md: policies.py).

Eligibility is a guardian object permission, `events.register_for_event`, granted to the
members group of each network the event is for; facilitators hold `events.facilitate_event`
directly. Both are read from guardian's direct-FK tables with plain joins, never with global
permissions or the superuser shortcut. Everything that may not be seen is a 404.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from community.policies import (
    _signed_in,
    get_network_for_member,
    group_ids,
    is_steward,
    managed_networks,
    networks_open_to,
    require_network_content,
)
from events.models import (
    Event,
    EventGroupObjectPermission,
    EventUserObjectPermission,
    Registration,
)

REGISTER = "register_for_event"
FACILITATE = "facilitate_event"
# Full names for guardian's assign_perm/remove_perm, which the services call when they grant.
REGISTER_PERM = f"events.{REGISTER}"
FACILITATE_PERM = f"events.{FACILITATE}"


# Building blocks (query expressions) --------------------------------------------------------


def _eligible_q(user):
    """Events whose register permission is held by one of the user's groups, in a network whose
    content is open to them now (the one gate: agreement accepted, two-factor where required)."""
    return Q(
        Exists(
            EventGroupObjectPermission.objects.filter(
                content_object=OuterRef("pk"),
                permission__codename=REGISTER,
                group_id__in=group_ids(user),
            )
        )
    ) & Q(Exists(networks_open_to(user).filter(events=OuterRef("pk"))))


def _facilitating_q(user):
    return Q(
        Exists(
            EventUserObjectPermission.objects.filter(
                content_object=OuterRef("pk"), permission__codename=FACILITATE, user_id=user.pk
            )
        )
    )


def _stewarding_q(user):
    return Q(Exists(managed_networks(user).filter(events=OuterRef("pk"))))


def _visible_q(user):
    """Eligible for a non-draft event, facilitating it, or stewarding one of its networks."""
    return (
        (_eligible_q(user) & ~Q(status=Event.Status.DRAFT))
        | _facilitating_q(user)
        | (_stewarding_q(user))
    )


# Single answers -----------------------------------------------------------------------------


def is_eligible(user, event):
    """A member of one of the event's networks (through the guardian group grant) whose content
    is open to them now."""
    if not _signed_in(user):
        return False
    return Event.objects.filter(_eligible_q(user), pk=event.pk).exists()


def is_facilitator(user, event):
    if not _signed_in(user):
        return False
    return EventUserObjectPermission.objects.filter(
        content_object=event, permission__codename=FACILITATE, user_id=user.pk
    ).exists()


def facilitates_anything(user):
    """An Exists() for the two-factor rule: the user facilitates at least one event."""
    return Exists(
        EventUserObjectPermission.objects.filter(user_id=user.pk, permission__codename=FACILITATE)
    )


def is_event_steward(user, event):
    """A steward of one of the networks the event is for."""
    if not _signed_in(user):
        return False
    return event.networks.filter(pk__in=managed_networks(user).values("pk")).exists()


def can_view_event(user, event):
    if not _signed_in(user):
        return False
    if is_facilitator(user, event) or is_event_steward(user, event):
        return True
    return event.status != Event.Status.DRAFT and is_eligible(user, event)


def can_manage_event(user, event):
    """The facilitator page: registrations, waitlist, approvals, capacity, attendance."""
    return is_facilitator(user, event) or is_event_steward(user, event)


def can_edit_event(user, event):
    return is_event_steward(user, event)


def can_create_events(user):
    return _signed_in(user) and managed_networks(user).exists()


def registration_window_error(event, now=None):
    """Why registration is closed right now, or None when it is open."""
    now = now or timezone.now()
    if event.status == Event.Status.CANCELLED:
        return "This event has been cancelled."
    if event.status != Event.Status.PUBLISHED:
        return "This event is not open yet."
    if event.starts_at <= now:
        return "This event has already started."
    if event.registration_opens_at and now < event.registration_opens_at:
        return "Registration has not opened yet."
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "Registration has closed."
    return None


def can_register(user, event):
    return is_eligible(user, event) and registration_window_error(event) is None


# Who facilitates ----------------------------------------------------------------------------


def facilitator_grants(event):
    """The event's facilitate grants (the rows the service adds and removes)."""
    return EventUserObjectPermission.objects.filter(
        content_object=event, permission__codename=FACILITATE
    )


def facilitator_ids(event):
    """The ids of the event's facilitators, as a subquery (`.values("user_id")`)."""
    return facilitator_grants(event).values("user_id")


def facilitators(event):
    """The event's facilitators who can still be told things: active and not erased."""
    from community.models import User

    return User.objects.filter(
        pk__in=facilitator_ids(event), is_active=True, erased_at__isnull=True
    )


def facilitator_candidates(networks):
    """Who may be made a facilitator of an event for `networks`: their active members."""
    from community.models import User

    return User.objects.filter(
        groups__in=[network.members_group_id for network in networks],
        is_active=True,
        erased_at__isnull=True,
    ).distinct()


def facilitated_events(user):
    """Events the user facilitates (any status), for their export."""
    return Event.objects.filter(_facilitating_q(user))


# Lists --------------------------------------------------------------------------------------


def visible_events(user):
    """Events the user may open: eligible and not a draft, facilitating, or stewarding."""
    if not _signed_in(user):
        return Event.objects.none()
    return Event.objects.filter(_visible_q(user))


def upcoming_events_to_attend(user, network=None):
    """Published events, not yet ended, that the user may register for or has registered for."""
    if not _signed_in(user):
        return Event.objects.none()
    qs = Event.objects.filter(
        _eligible_q(user), status=Event.Status.PUBLISHED, ends_at__gt=timezone.now()
    )
    if network is not None:
        qs = qs.filter(pk__in=Event.objects.filter(networks=network).values("pk"))
    return qs


def managed_events(user):
    """Events the user facilitates or whose network they steward (any status)."""
    if not _signed_in(user):
        return Event.objects.none()
    return Event.objects.filter(_facilitating_q(user) | _stewarding_q(user))


# Getters that 404 for missing and forbidden alike ---------------------------------------------


def _get(event_id):
    try:
        return Event.objects.filter(pk=int(event_id)).first()
    except (TypeError, ValueError):
        return None


def get_event_for_viewing(user, event_id):
    """One query: the event, if the user may open it."""
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        raise Http404("No such event.") from None
    event = visible_events(user).filter(pk=pk).first()
    if event is None:
        raise Http404("No such event.")
    return event


def attendance_facts(user, event_id, **more):
    """For the live session, in one query: the event with what decides who may be in the room.

    `facilitating`, `eligible` (a members group of one of its networks holds the grant, read
    from the membership table now rather than the cached group ids, since a session asks again
    on every message) and `confirmed` (a confirmed registration). `more` adds other apps'
    Exists() answers. None for a missing event or someone not signed in.
    """
    if not _signed_in(user):
        return None
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        return None
    return (
        Event.objects.filter(pk=pk)
        .annotate(
            facilitating=Exists(
                EventUserObjectPermission.objects.filter(
                    content_object=OuterRef("pk"), permission__codename=FACILITATE, user_id=user.pk
                )
            ),
            eligible=Exists(
                EventGroupObjectPermission.objects.filter(
                    content_object=OuterRef("pk"),
                    permission__codename=REGISTER,
                    group__user=user.pk,
                )
            ),
            confirmed=Exists(
                Registration.objects.filter(
                    event=OuterRef("pk"), user_id=user.pk, status=Registration.Status.CONFIRMED
                )
            ),
            # The one gate: one of the event's networks is open to them now (member, current
            # agreement accepted, two-factor), in the same query.
            content_open=Exists(networks_open_to(user).filter(events=OuterRef("pk"))),
            **more,
        )
        .first()
    )


def may_attend(facts):
    """A facilitator, or a confirmed registrant of a published event who is still eligible."""
    if facts is None:
        return False
    if facts.facilitating:
        return True
    return (
        facts.status == Event.Status.PUBLISHED
        and facts.eligible
        and facts.content_open
        and facts.confirmed
    )


def get_event_for_attendee(user, event_id):
    """For the live session page and socket: the event, or 404 for missing and forbidden alike."""
    event = attendance_facts(user, event_id)
    if not may_attend(event):
        raise Http404("No such event.")
    return event


def get_event_for_facilitator(user, event_id):
    event = _get(event_id)
    if event is None or not can_manage_event(user, event):
        raise Http404("No such event.")
    return event


def get_event_for_steward(user, event_id):
    event = _get(event_id)
    if event is None or not can_edit_event(user, event):
        raise Http404("No such event.")
    return event


def _notice_open(user, event):
    """Event notices pass the one gate too: those who run the event, or a member to whom one of
    its networks is open now (an agreement to accept holds them back, as pages do)."""
    if not can_view_event(user, event):
        return False
    if is_facilitator(user, event) or is_event_steward(user, event):
        return True
    return networks_open_to(user).filter(events=event).exists()


def can_see_notification_target(user, target):
    if isinstance(target, Event):
        return _notice_open(user, target)
    if isinstance(target, Registration):
        return target.user_id == user.pk and _notice_open(user, target.event)
    return False


def get_network_for_events(user, slug):
    """A network's events page: its stewards, and members to whom its content is open (the one
    gate); a member who only lacks the agreement is sent to it, anyone else gets 404."""
    network = get_network_for_member(user, slug)
    if not is_steward(user, network):
        require_network_content(user, network, "No such network.")
    return network
