"""Access-table rows for this app's routes (see tests/access_table.py) and their objects.

`build(world)` adds this app's objects to the shared world (one person in each role around
an unlisted network `world.network` and a listed one `world.listed`).
"""

from datetime import timedelta

from tests.access_table import (  # noqa: F401
    GATED,
    LOGIN,
    REDIRECT,
    Route,
    every,
    inside_network,
    signed_in,
)


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
RUN = {**every(404, anonymous=LOGIN), "steward": 200}
RUN_POST = {**RUN, "steward": REDIRECT}
STEWARD_PAGE = RUN


def run_post(data=lambda w: {}, changes=("steward",), **kwargs):
    return {"expect": RUN_POST, "method": "post", "data": data, "changes": changes, **kwargs}


ROUTES = [
    Route("events:list", signed_in()),
    Route("events:mine", signed_in()),
    Route("events:create", STEWARD_PAGE, note="stewards create events for networks they run"),
    Route(
        "events:create",
        method="post",
        data=lambda w: {},
        expect=STEWARD_PAGE,
        note="an empty form is answered with its errors, and nothing is made",
    ),
    Route(
        "events:network",
        inside_network(),
        kwargs=lambda w: {"slug": w.network.slug},
    ),
    Route("events:detail", EVENT, kwargs=_event),
    Route(
        "events:detail",
        {**every(404, anonymous=LOGIN), "steward": 200},
        kwargs=lambda w: {"pk": w.draft_event.pk},
        note="a draft is seen only by its stewards and facilitators",
    ),
    Route("events:calendar", EVENT, kwargs=_event),
    Route(
        "events:register",
        inside_network(member=REDIRECT),
        kwargs=_event,
        method="post",
        data=lambda w: {},
        changes=("member", "moderator"),
        note="the steward is not a member: refused with a message",
    ),
    Route(
        "events:cancel_registration",
        inside_network(member=REDIRECT),
        kwargs=lambda w: {"pk": w.live_event.pk},
        method="post",
        data=lambda w: {},
        changes=("member",),
        note="the member is registered for the live event; the others have nothing to cancel",
    ),
    Route("events:manage", RUN, kwargs=_event),
    Route("events:capacity", kwargs=_event, **run_post(lambda w: {"capacity": "6"})),
    Route(
        "events:attendance",
        kwargs=_event,
        **run_post(lambda w: {"attended": [w.event_attendee.pk]}),
    ),
    Route("events:attendance_csv", RUN, kwargs=_event),
    Route(
        "events:decide",
        kwargs=lambda w: {"pk": w.event.pk, "registration_pk": w.event_registration.pk},
        **run_post(lambda w: {"decision": "decline"}, changes=()),
        note="a confirmed registration is not a request: refused with a message",
    ),
    Route("events:edit", STEWARD_PAGE, kwargs=_event),
    Route(
        "events:edit",
        kwargs=_event,
        method="post",
        data=lambda w: {},
        expect=STEWARD_PAGE,
        note="an empty form is answered with its errors, and nothing changes",
    ),
    Route("events:cancel", STEWARD_PAGE, kwargs=_event, note="GET asks to confirm"),
    Route("events:cancel", kwargs=_event, **run_post()),
    Route("events:publish", kwargs=lambda w: {"pk": w.draft_event.pk}, **run_post()),
]
