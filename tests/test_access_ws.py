"""The WebSocket sweep: every socket route of confide/routing.py has a row, and every role gets
its row's answer on connecting, through the real ASGI application with a session cookie.

The table is checked against the routing itself, so a new socket route without a row fails. The
message types each socket accepts are swept in tests/forums/test_access_ws.py and
tests/live/test_access_ws.py, against the consumers' own dispatch tables.
"""

import re
from dataclasses import dataclass, field

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import URLPattern, URLResolver, path

from confide.asgi import application
from confide.routing import websocket_urlpatterns
from tests.access_table import ROLES, every
from tests.live.conftest import HEADERS, session_cookie

CONNECTED = "connected"
GATED = "gated"  # closed with 4403 or 4404 before anything of the network is sent
PROBE = {"type": "access.probe"}  # a type no socket accepts: every open socket answers it


@dataclass(frozen=True)
class SocketRoute:
    route: str
    expect: dict
    kwargs: object = None  # a function of the world giving the route's arguments
    note: str = ""
    gaps: dict = field(default_factory=dict)  # role -> reason: a known failure (strict xfail)


SOCKETS = [
    SocketRoute(
        "ws/notifications/",
        every(CONNECTED, anonymous=4401),
        note="everyone signed in hears their own unread count",
    ),
    SocketRoute(
        "ws/forums/topics/<int:topic_id>/",
        {
            "anonymous": 4401,
            "outsider": 4404,
            "member": CONNECTED,
            "agreement_pending": GATED,
            "moderator": CONNECTED,
            "steward": 4404,
        },
        kwargs=lambda w: {"topic_id": w.topic.pk},
        note="readers of the forum; the steward runs the network but reads no conversation",
    ),
    SocketRoute(
        "ws/events/<int:event_id>/live/",
        {**every(4404, anonymous=4401), "member": CONNECTED, "moderator": CONNECTED},
        kwargs=lambda w: {"event_id": w.live_event.pk},
        note="the facilitator (moderator) and the confirmed registrant (member) only",
    ),
]
ROWS = {row.route: row for row in SOCKETS}


def socket_routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from socket_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            inner = getattr(pattern.callback, "routes", None)  # a nested channels URLRouter
            if inner is not None:
                yield from socket_routes(inner, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)


def routes_without_a_row(patterns):
    return [route for route in socket_routes(patterns) if route not in ROWS]


def test_every_socket_route_has_a_row():
    assert routes_without_a_row(websocket_urlpatterns) == []


def test_a_socket_route_without_a_row_fails_the_sweep():
    from community.consumers import NotificationConsumer

    forgotten = path("ws/forgotten/<int:pk>/", NotificationConsumer.as_asgi())
    assert routes_without_a_row([*websocket_urlpatterns, forgotten]) == ["ws/forgotten/<int:pk>/"]


def test_every_row_names_a_real_socket_route():
    assert sorted(set(ROWS) - set(socket_routes(websocket_urlpatterns))) == []


def test_every_row_answers_for_every_role():
    assert [row.route for row in SOCKETS if set(row.expect) != set(ROLES)] == []


def url_of(row, world):
    kwargs = row.kwargs(world) if row.kwargs else {}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), row.route)


async def answer_on_connecting(world, role, url):
    """CONNECTED when the socket stays open and answers; otherwise the code it closed with."""
    headers = list(HEADERS)
    if role != "anonymous":
        cookie = await sync_to_async(session_cookie)(world.user(role))
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, url, headers=headers)
    try:
        connected, code = await communicator.connect(timeout=10)
        if not connected:
            return code
        # Some sockets accept and then close; an open one answers the probe (or greets first).
        await communicator.send_json_to(PROBE)
        output = await communicator.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            return output.get("code")
        return CONNECTED
    finally:
        await communicator.disconnect()


def check(answer, expected):
    if expected == GATED:
        return answer in (4403, 4404)
    return answer == expected


CASES = []
for _row in SOCKETS:
    _plain = [role for role in ROLES if role not in _row.gaps]
    CASES.append(pytest.param(_row, _plain, id=f"{_row.route}"))
    for _role, _reason in _row.gaps.items():
        _mark = pytest.mark.xfail(strict=True, reason=_reason)
        CASES.append(pytest.param(_row, [_role], id=f"{_row.route}-{_role}", marks=_mark))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("row", "roles"), CASES)
async def test_every_socket_answers_each_role_as_the_table_says(row, roles):
    from tests.conftest import World

    world = await sync_to_async(World)()
    url = await sync_to_async(url_of)(row, world)
    answers = {role: await answer_on_connecting(world, role, url) for role in roles}
    wrong = {
        role: (answer, row.expect[role])
        for role, answer in answers.items()
        if not check(answer, row.expect[role])
    }
    assert wrong == {}, f"{row.route}: role -> (got, expected)"
