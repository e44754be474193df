"""Access-table rows for this app's routes (see tests/access_table.py) and their objects.

`build(world)` adds this app's objects to the shared world (one person in each role around
an unlisted network `world.network` and a listed one `world.listed`).
"""

from datetime import timedelta

from tests.access_table import LOGIN, REDIRECT, Route, every, inside_network, signed_in  # noqa: F401


def build(world):
    from django.utils import timezone

    from events import services
    from tests.factories import add_member, make_user

    start = timezone.now() + timedelta(days=7)
    world.event_facilitator = add_member(world.network, make_user(display_name="Femi Facilitator"))
    world.event = services.create_event(
        actor=world.steward,
        networks=[world.network],
        title="Using WRES data at board level",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
        facilitators=[world.event_facilitator],
        publish=True,
    )
    world.draft_event = services.create_event(
        actor=world.steward,
        networks=[world.network],
        title="A draft conversation for chairs",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    world.event_attendee = add_member(world.network, make_user(display_name="Kwame Attendee"))
    # The leak probe: an event of a closed network is invisible outside it.
    world.protect("Using WRES data at board level", "member", "moderator", "steward")
    world.event_registration = services.register(actor=world.event_attendee, event=world.event)


def _event(w):
    return {"pk": w.event.pk}


# Members (and moderators, who are members) of the event's network; the steward runs it.
EVENT = inside_network()
# The facilitator page: the event's facilitators and its networks' stewards; a participant 404s.
RUN = {"anonymous": LOGIN, "outsider": 404, "member": 404, "moderator": 404, "steward": 200}
RUN_POST = {**RUN, "steward": REDIRECT}
STEWARD_PAGE = RUN

ROUTES = [
    Route("events:list", signed_in()),
    Route("events:mine", signed_in()),
    Route("events:create", STEWARD_PAGE, note="stewards create events for networks they run"),
    Route("events:network", inside_network(), kwargs=lambda w: {"slug": w.network.slug}),
    Route("events:detail", EVENT, kwargs=_event),
    Route(
        "events:detail",
        {"anonymous": LOGIN, "outsider": 404, "member": 404, "moderator": 404, "steward": 200},
        kwargs=lambda w: {"pk": w.draft_event.pk},
        note="a draft is seen only by its stewards and facilitators",
    ),
    Route("events:calendar", EVENT, kwargs=_event),
    Route(
        "events:register",
        inside_network(member=REDIRECT),
        kwargs=_event,
        method="post",
        note="the steward is not a member: refused with a message",
    ),
    Route(
        "events:cancel_registration",
        inside_network(member=REDIRECT),
        kwargs=_event,
        method="post",
    ),
    Route("events:manage", RUN, kwargs=_event),
    Route(
        "events:capacity",
        RUN_POST,
        kwargs=_event,
        method="post",
        extra={"data": {"capacity": "6"}},
    ),
    Route("events:attendance", RUN_POST, kwargs=_event, method="post"),
    Route("events:attendance_csv", RUN, kwargs=_event),
    Route(
        "events:decide",
        RUN_POST,
        kwargs=lambda w: {"pk": w.event.pk, "registration_pk": w.event_registration.pk},
        method="post",
        extra={"data": {"decision": "decline"}},
        note="a confirmed registration is not a request: refused with a message",
    ),
    Route("events:edit", STEWARD_PAGE, kwargs=_event),
    Route("events:cancel", STEWARD_PAGE, kwargs=_event, note="GET asks to confirm"),
    Route(
        "events:publish",
        RUN_POST,
        kwargs=lambda w: {"pk": w.draft_event.pk},
        method="post",
    ),
]
