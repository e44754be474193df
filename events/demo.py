"""Demo events: upcoming and past, with seats taken, a waiting list and a request to approve.

`seed(context)` takes what community.demo.seed() returns; running it again changes nothing.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from events import services
from events.models import Event, Registration

WRES = """A peer-learning session on one high-impact action: using Workforce Race Equality
Standard data at board level.

- How three boards moved from reading the WRES report to acting on it.
- Cutting the data by ethnicity and pay band, and what to ask your executive team.
- One commitment each to take back to your board.

Please read your own trust's latest WRES summary before the session."""

CHAIRS = """A facilitated conversation for chairs about leading on race equality when the board
would rather talk about inclusion in general. Small group, Chatham House rule."""

BIG = """A listening session: board members hear directly from staff network leads about
what has and has not changed for them. Board members listen first and speak second."""

SECTOR = """Learning from another sector: how a large police force and a university used
their own data to change who gets promoted, and what the NHS can borrow."""


def _at(days, hour):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _event(context, title, **kwargs):
    existing = Event.objects.filter(title=title).first()
    if existing is not None:
        return existing, False
    people = context["people"]
    return services.create_event(actor=people["steward"], title=title, publish=True, **kwargs), True


def _register(event, *users):
    for user in users:
        services.register(actor=user, event=event)


@transaction.atomic
def seed(context):
    people, networks = context["people"], context["networks"]
    learning, chairs = networks["learning"], networks["chairs"]
    facilitator = people["facilitator"]

    wres, created = _event(
        context,
        "Using WRES data at board level",
        networks=[learning],
        description=WRES,
        starts_at=_at(10, 14),
        ends_at=_at(10, 15) + timedelta(minutes=30),
        capacity=12,
        facilitators=[facilitator],
    )
    if created:
        _register(wres, people["ned"], people["ceo"], people["director"])

    conversation, created = _event(
        context,
        "A facilitated conversation for chairs",
        networks=[chairs],
        description=CHAIRS,
        starts_at=_at(21, 17),
        ends_at=_at(21, 18) + timedelta(minutes=30),
        format=Event.Format.IN_PERSON,
        location="Meeting room 2, Wellington House, 133-155 Waterloo Road, London SE1 8UG",
        capacity=8,
        approval_required=True,
        facilitators=[people["moderator"]],
    )
    if created:
        _register(conversation, people["chair"])

    big, created = _event(
        context,
        "Big conversation: hearing from staff networks",
        networks=[learning],
        description=BIG,
        starts_at=_at(35, 12),
        ends_at=_at(35, 13) + timedelta(minutes=30),
        format=Event.Format.BOTH,
        location="Online, and in Leeds (Quarry House)",
        capacity=3,
        facilitators=[facilitator],
        chat_retention=Event.ChatRetention.KEEP,
        chat_retention_days=14,
    )
    if created:
        _register(
            big,
            people["ned"],
            people["ned2"],
            people["director"],
            people["governor"],
            people["edi"],
        )

    past, created = _event(
        context,
        "Learning from another sector: promotion data",
        networks=[learning],
        description=SECTOR,
        starts_at=_at(3, 10),
        ends_at=_at(3, 11) + timedelta(minutes=30),
        capacity=20,
        facilitators=[facilitator],
    )
    if created:
        _register(past, people["ned"], people["ceo"], people["edi"], people["ned3"])
        services.mark_attendance(
            actor=facilitator,
            event=past,
            attended_user_ids=[people["ned"].pk, people["ceo"].pk, people["edi"].pk],
        )
        # Move it into the past, as if it had happened three weeks ago (demo data only).
        Event.objects.filter(pk=past.pk).update(
            starts_at=_at(-21, 10), ends_at=_at(-21, 11) + timedelta(minutes=30)
        )
    return {
        "events": [wres, conversation, big, past],
        "registrations": Registration.objects.filter(
            event__in=[wres, conversation, big, past]
        ).count(),
    }
