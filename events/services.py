"""Every action on events and registrations (CONVENTIONS.md: services.py).

Seats are scarce: each action that can take or free one locks the event row once
(`select_for_update`) inside `transaction.atomic()` and re-reads the seat count, so confirmed
registrations never exceed capacity whatever the concurrency; a partial unique constraint keeps
one active registration per person and event as the last line of defence.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from community import live
from community.locking import lock_one
from community.models import Network
from community.services import audit, notify
from community.text import render_markdown
from events import policies
from events.models import ACTIVE_STATUSES, Event, Registration

logger = logging.getLogger(__name__)

REMINDER_LEAD = timedelta(hours=24)
Status = Registration.Status
EventNetworks = Event.networks.through


class EventError(Exception):
    """A refusal a person can read."""


def event_url(event):
    return reverse("events:detail", args=[event.pk])


def event_group(event_id):
    """Connected pages of one event (seat counts) listen here."""
    return f"event.{event_id}"


def _broadcast_seats(event):
    live.send_after_commit(event_group(event.pk), {"type": "event.changed", "event_id": event.pk})


def _first_network(event):
    return event.networks.order_by("pk").first()


def _lock(event):
    """Lock the event row; seat counts must be read after this, in their own statements.

    A wait past the lock timeout is "busy, try again" (an EventError), not the outage page.
    """
    first_network = EventNetworks.objects.filter(event_id=OuterRef("pk")).order_by("network_id")
    return lock_one(
        Event.objects.annotate(
            audit_network_id=Subquery(first_network.values("network_id")[:1])
        ).filter(pk=event.pk),
        of=("self",),
        busy=EventError,
    )


def _network_ref(event):
    """The network an audit row is filed under, without another query when the lock read it."""
    network_id = getattr(event, "audit_network_id", None)
    return Network(pk=network_id) if network_id else _first_network(event)


def confirmed_count(event):
    return Registration.objects.filter(event=event, status=Status.CONFIRMED).count()


def waitlist_position(registration):
    """1 for the first person waiting, and so on; None when not waiting."""
    if registration.status != Status.WAITLISTED:
        return None
    ahead = (
        Registration.objects.filter(event_id=registration.event_id, status=Status.WAITLISTED)
        .filter(waitlisted_at__lt=registration.waitlisted_at)
        .count()
    )
    same_time = Registration.objects.filter(
        event_id=registration.event_id,
        status=Status.WAITLISTED,
        waitlisted_at=registration.waitlisted_at,
        pk__lt=registration.pk,
    ).count()
    return ahead + same_time + 1


def _seat_or_wait(event, registration, now):
    """Give a seat if one is free and nobody is waiting ahead, else join the waiting list."""
    waiting = Registration.objects.filter(event=event, status=Status.WAITLISTED).exists()
    if not waiting and confirmed_count(event) < event.capacity:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
    else:
        registration.status = Status.WAITLISTED
        registration.waitlisted_at = now


def _promote(event, *, now):
    """Fill free seats from the front of the waiting list; the event row is already locked."""
    free = event.capacity - confirmed_count(event)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(event=event, status=Status.WAITLISTED)
        .select_related("user")
        .order_by("waitlisted_at", "pk")[:free]
    )
    for registration in promoted:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.updated_at = now
        registration.save(update_fields=["status", "confirmed_at", "updated_at"])
        audit(
            actor=None,
            verb="event.registration_promote",
            target=event,
            network=_network_ref(event),
            subject=registration.user,
        )
        notify(
            user=registration.user,
            kind="event_seat_confirmed",
            url=event_url(event),
            target=event,
        )
    return promoted


# Events ---------------------------------------------------------------------------------------


def _check_times(starts_at, ends_at, opens_at, closes_at):
    if ends_at <= starts_at:
        raise EventError("The event must end after it starts.")
    if opens_at and closes_at and closes_at <= opens_at:
        raise EventError("Registration must close after it opens.")
    if closes_at and closes_at > starts_at:
        raise EventError("Registration must close before the event starts.")


def _set_networks_and_facilitators(event, networks, facilitators):
    old_networks = set(event.networks.all())
    for network in old_networks - set(networks):
        remove_perm(policies.REGISTER_PERM, network.members_group, event)
    for network in networks:
        assign_perm(policies.REGISTER_PERM, network.members_group, event)
    event.networks.set(networks)
    old = set(policies.facilitator_grants(event).values_list("user_id", flat=True))
    new = {f.pk for f in facilitators}
    for user in facilitators:
        if user.pk not in old:
            assign_perm(policies.FACILITATE_PERM, user, event)
    if old - new:
        policies.facilitator_grants(event).filter(user_id__in=old - new).delete()
    return new - old


def _check_choices(actor, networks, facilitators):
    from community.policies import managed_networks

    if not networks:
        raise EventError("Choose at least one network.")
    allowed = set(managed_networks(actor).values_list("pk", flat=True))
    if any(n.pk not in allowed for n in networks):
        raise EventError("You can only choose networks you run.")
    wanted = {user.pk for user in facilitators}
    eligible = policies.facilitator_candidates(networks).filter(pk__in=wanted)
    if wanted and eligible.count() != len(wanted):
        raise EventError("Facilitators must be members of one of the event's networks.")


@transaction.atomic
def create_event(
    *,
    actor,
    networks,
    title,
    starts_at,
    ends_at,
    description="",
    format=Event.Format.ONLINE,
    location="",
    capacity=20,
    registration_opens_at=None,
    registration_closes_at=None,
    approval_required=False,
    chatham_house=True,
    chat_retention=Event.ChatRetention.DISCARD,
    chat_retention_days=0,
    facilitators=(),
    publish=False,
):
    networks = list(networks)
    facilitators = list(facilitators)
    _check_choices(actor, networks, facilitators)
    _check_times(starts_at, ends_at, registration_opens_at, registration_closes_at)
    if capacity < 1:
        raise EventError("An event needs at least one seat.")
    event = Event.objects.create(
        title=title,
        description=description,
        description_html=render_markdown(description),
        starts_at=starts_at,
        ends_at=ends_at,
        format=format,
        location=location,
        capacity=capacity,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
        approval_required=approval_required,
        chatham_house=chatham_house,
        chat_retention=chat_retention,
        chat_retention_days=chat_retention_days if chat_retention == "keep" else 0,
        status=Event.Status.PUBLISHED if publish else Event.Status.DRAFT,
        created_by=actor,
    )
    new_facilitators = _set_networks_and_facilitators(event, networks, facilitators)
    audit(actor=actor, verb="event.create", target=event, network=networks[0], publish=publish)
    _tell_new_facilitators(event, new_facilitators)
    return event


def _tell_new_facilitators(event, user_ids):
    from community.models import User

    for user in User.objects.filter(pk__in=user_ids):
        notify(user=user, kind="event_facilitator", url=event_url(event), target=event)


@transaction.atomic
def update_event(*, actor, event, networks, facilitators, **fields):
    """Change an event; a published event's calendar SEQUENCE goes up."""
    if not policies.can_edit_event(actor, event):
        raise EventError("Only a steward of the event's network can change it.")
    event = _lock(event)
    if event.status == Event.Status.CANCELLED:
        raise EventError("A cancelled event cannot be changed.")
    from community.policies import managed_networks

    managed = set(managed_networks(actor).values_list("pk", flat=True))
    kept = [n for n in event.networks.all() if n.pk not in managed]
    networks = list(networks)
    facilitators = list(facilitators)
    _check_choices(actor, networks, facilitators) if networks else None
    networks = kept + networks
    if not networks:
        raise EventError("Choose at least one network.")
    _check_times(
        fields.get("starts_at", event.starts_at),
        fields.get("ends_at", event.ends_at),
        fields.get("registration_opens_at", event.registration_opens_at),
        fields.get("registration_closes_at", event.registration_closes_at),
    )
    if "capacity" in fields and fields["capacity"] != event.capacity:
        _check_capacity(event, fields["capacity"])
    for name, value in fields.items():
        setattr(event, name, value)
    event.description_html = render_markdown(event.description)
    if event.chat_retention != Event.ChatRetention.KEEP:
        event.chat_retention_days = 0
    event.sequence += 1
    event.updated_at = timezone.now()
    event.save()
    new_facilitators = _set_networks_and_facilitators(event, networks, facilitators)
    _promote(event, now=event.updated_at)
    audit(actor=actor, verb="event.update", target=event, network=networks[0])
    _tell_new_facilitators(event, new_facilitators)
    if event.status == Event.Status.PUBLISHED:
        for registration in event.registrations.filter(status__in=ACTIVE_STATUSES).select_related(
            "user"
        ):
            notify(user=registration.user, kind="event_changed", url=event_url(event), target=event)
    _broadcast_seats(event)
    return event


@transaction.atomic
def publish_event(*, actor, event):
    if not policies.can_edit_event(actor, event):
        raise EventError("Only a steward of the event's network can publish it.")
    event = _lock(event)
    if event.status != Event.Status.DRAFT:
        raise EventError("Only a draft can be published.")
    event.status = Event.Status.PUBLISHED
    event.sequence += 1
    event.updated_at = timezone.now()
    event.save(update_fields=["status", "sequence", "updated_at"])
    audit(actor=actor, verb="event.publish", target=event, network=_network_ref(event))
    return event


@transaction.atomic
def cancel_event(*, actor, event):
    """Cancel the event: everyone registered (and every facilitator) is told."""
    if not policies.can_edit_event(actor, event):
        raise EventError("Only a steward of the event's network can cancel it.")
    event = _lock(event)
    if event.status == Event.Status.CANCELLED:
        return event
    now = timezone.now()
    event.status = Event.Status.CANCELLED
    event.cancelled_at = now
    event.sequence += 1
    event.updated_at = now
    event.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    audit(actor=actor, verb="event.cancel", target=event, network=_network_ref(event))
    told = set()
    for registration in event.registrations.filter(status__in=ACTIVE_STATUSES).select_related(
        "user"
    ):
        told.add(registration.user_id)
        notify(user=registration.user, kind="event_cancelled", url=event_url(event), target=event)
    for user in policies.facilitators(event).exclude(pk__in=told):
        notify(user=user, kind="event_cancelled", url=event_url(event), target=event)
    _broadcast_seats(event)
    return event


def _check_capacity(event, capacity):
    if capacity < 1:
        raise EventError("An event needs at least one seat.")
    confirmed = confirmed_count(event)
    if capacity < confirmed:
        raise EventError(
            f"{confirmed} people already have a seat, so the capacity cannot go below "
            f"{confirmed}. Cancel registrations first if you need fewer seats."
        )


@transaction.atomic
def change_capacity(*, actor, event, capacity):
    """Raising promotes as many waiting people as fit; lowering below the confirmed is refused."""
    if not policies.can_manage_event(actor, event):
        raise EventError("Only the event's facilitators or stewards can change its capacity.")
    event = _lock(event)
    _check_capacity(event, capacity)
    old = event.capacity
    event.capacity = capacity
    event.updated_at = timezone.now()
    event.save(update_fields=["capacity", "updated_at"])
    promoted = _promote(event, now=event.updated_at)
    audit(
        actor=actor,
        verb="event.capacity",
        target=event,
        network=_network_ref(event),
        old=old,
        new=capacity,
        promoted=len(promoted),
    )
    _broadcast_seats(event)
    return event, promoted


# Registrations ----------------------------------------------------------------------------------


def register(*, actor, event):
    """Take a seat, join the waiting list, or ask for approval. A second click is harmless."""
    if not policies.is_eligible(actor, event):
        raise EventError("This event is for members of its networks only.")
    try:
        return _register(actor, event)
    except IntegrityError:
        # The constraint caught a duplicate the lock should already have prevented.
        return Registration.objects.get(event=event, user=actor, status__in=ACTIVE_STATUSES)


def _register(actor, event):
    existing = _existing_registration(event, actor.pk)
    if existing is not None:
        return existing  # a second click, answered without touching the lock
    with transaction.atomic():
        # The critical section is kept to four statements: lock, count, insert, audit.
        event = _lock(event)
        tally = Registration.objects.filter(event=event).aggregate(
            confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=Status.WAITLISTED)),
            mine=Max("pk", filter=Q(user=actor, status__in=(*ACTIVE_STATUSES, Status.DECLINED))),
        )
        if tally["mine"] is not None:
            return Registration.objects.get(pk=tally["mine"])
        error = policies.registration_window_error(event)
        if error:
            raise EventError(error)
        now = timezone.now()
        registration = Registration(event=event, user=actor, created_at=now, updated_at=now)
        if event.approval_required:
            registration.status = Status.AWAITING_APPROVAL
        elif not tally["waiting"] and tally["confirmed"] < event.capacity:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = now
        else:
            registration.status = Status.WAITLISTED
            registration.waitlisted_at = now
        registration.save(force_insert=True)
        audit(
            actor=actor,
            verb="event.register",
            target=event,
            network=_network_ref(event),
            subject=actor,
            status=registration.status,
        )
        if registration.status == Status.AWAITING_APPROVAL:
            for user in policies.facilitators(event):
                notify(
                    user=user,
                    kind="event_approval_needed",
                    url=reverse("events:manage", args=[event.pk]),
                    target=event,
                    email=False,
                )
        _broadcast_seats(event)
    return registration


def _existing_registration(event, user_id):
    return (
        Registration.objects.filter(event=event, user_id=user_id)
        .filter(status__in=(*ACTIVE_STATUSES, Status.DECLINED))
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def cancel_registration(*, actor, event):
    """Give up my place: the seat goes to the first person waiting, in the same transaction."""
    event = _lock(event)
    registration = Registration.objects.filter(
        event=event, user=actor, status__in=ACTIVE_STATUSES
    ).first()
    if registration is None:
        raise EventError("You are not registered for this event.")
    now = timezone.now()
    was_confirmed = registration.status == Status.CONFIRMED
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.updated_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit(
        actor=actor,
        verb="event.registration_cancel",
        target=event,
        network=_network_ref(event),
        subject=actor,
    )
    if was_confirmed and event.status == Event.Status.PUBLISHED:
        _promote(event, now=now)
    _broadcast_seats(event)
    # Someone who gave up their place leaves the live session at once, not at their next message.
    from events.live.services import revoke_live_access

    revoke_live_access(user_id=actor.pk, event_id=event.pk)
    return registration


def _decide(actor, registration, approve):
    # The registration's own event, read from the database: neither the caller's object nor the
    # event in the URL it came through decides who may answer it.
    own = Registration.objects.select_related("event").filter(pk=registration.pk).first()
    if own is None or not policies.can_manage_event(actor, own.event):
        raise EventError("Only the event's facilitators or stewards can decide.")
    event = _lock(own.event)
    registration = Registration.objects.select_related("user").get(pk=registration.pk)
    if registration.status != Status.AWAITING_APPROVAL:
        raise EventError("This request has already been answered.")
    now = timezone.now()
    if approve:
        _seat_or_wait(event, registration, now)
    else:
        registration.status = Status.DECLINED
    registration.decided_by = actor
    registration.updated_at = now
    registration.save()
    audit(
        actor=actor,
        verb="event.registration_approve" if approve else "event.registration_decline",
        target=event,
        network=_network_ref(event),
        subject=registration.user,
        status=registration.status,
    )
    notify(
        user=registration.user,
        kind="event_request_answered",
        url=event_url(event),
        target=event,
    )
    _broadcast_seats(event)
    return registration


@transaction.atomic
def approve_registration(*, actor, registration):
    """Approval takes a seat if one is free, otherwise a place on the waiting list."""
    return _decide(actor, registration, True)


@transaction.atomic
def decline_registration(*, actor, registration):
    return _decide(actor, registration, False)


@transaction.atomic
def mark_attendance(*, actor, event, attended_user_ids):
    """The facilitator ticks who came; everyone else confirmed is marked as not attended."""
    if not policies.can_manage_event(actor, event):
        raise EventError("Only the event's facilitators or stewards can mark attendance.")
    now = timezone.now()
    attended_user_ids = {int(pk) for pk in attended_user_ids}
    confirmed = Registration.objects.filter(event=event, status=Status.CONFIRMED)
    confirmed.filter(user_id__in=attended_user_ids, attended=False).update(
        attended=True, attended_at=now, updated_at=now
    )
    confirmed.exclude(user_id__in=attended_user_ids).filter(attended=True).update(
        attended=False, attended_at=None, updated_at=now
    )
    audit(
        actor=actor,
        verb="event.attendance",
        target=event,
        network=_network_ref(event),
        count=confirmed.filter(attended=True).count(),
    )


def record_arrival(*, event, user):
    """Called by the live session when a confirmed registrant joins: they attended."""
    now = timezone.now()
    return Registration.objects.filter(
        event=event, user=user, status=Status.CONFIRMED, attended=False
    ).update(attended=True, attended_at=now, updated_at=now)


# Reminders --------------------------------------------------------------------------------------


def send_due_reminders(*, now=None):
    """Queue a reminder for each confirmed registrant of an event starting within 24 hours.

    Safe to run every hour (or more often): each registration is reminded once, marked in the
    same transaction that queues the e-mail.
    """
    from events import tasks

    now = now or timezone.now()
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        reminded_at__isnull=True,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMINDER_LEAD,
    ).select_related("user", "event")
    sent = 0
    for registration in due:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration.pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            notify(
                user=registration.user,
                kind="event_reminder",
                url=event_url(registration.event),
                target=registration.event,
                email=False,
            )
            pk = registration.pk
            transaction.on_commit(lambda pk=pk: tasks.send_event_reminder.enqueue(pk))
            sent += 1
    return sent
