"""Malformed input on every route: never a 500, and a refused request changes nothing (issue 8)."""

import json

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confide.asgi import application
from tests.access_table import all_routes
from tests.test_security import table_fingerprint

ROUTES = all_routes()
NASTY_VALUES = [
    "x" * 100_000,
    "nul\x00byte",
    "\ud800 lone surrogate".encode("utf-8", "surrogatepass").decode("latin-1"),
    "<script>alert(1)</script>",
    "-1",
    "99999999999999999999999",
    "../../etc/passwd",
    "",
]
FIELD_NAMES = [
    "title",
    "body",
    "text",
    "email",
    "emails",
    "name",
    "capacity",
    "reason",
    "goals",
    "display_name",
    "bio",
    "slug",
    "network",
    "forum",
    "author",
    "is_anonymous",
    "is_staff",
    "status",
    "choice",
    "option",
    "confirm",
    "message",
    "focus_areas",
]


def url_for(route, world):
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else {})


def acceptable(response):
    return response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "steward"])
def test_nasty_values_in_every_field_of_every_route_never_give_a_500(role, world):
    client = Client(raise_request_exception=False)
    client.force_login(world.user(role))
    failures = []
    for route in ROUTES:
        url = url_for(route, world)
        for value in NASTY_VALUES:
            response = client.post(url, dict.fromkeys(FIELD_NAMES, value))
            if not acceptable(response):
                failures.append(f"{route.name} with {value[:20]!r}: {response.status_code}")
    assert failures == []


@pytest.mark.django_db
def test_ten_thousand_fields_or_a_3_mb_body_are_refused_with_400_and_change_nothing(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.member)
    before = table_fingerprint()
    for route in ROUTES:
        url = url_for(route, world)
        many = client.post(url, {f"field{i}": "x" for i in range(10_000)})
        huge = client.post(url, {"body": "x" * 3_000_000})
        for response in (many, huge):
            assert response.status_code == 400, f"{route.name}: {response.status_code}"
    assert table_fingerprint() == before


@pytest.mark.django_db
def test_invalid_utf8_and_wrong_content_types_never_give_a_500(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.member)
    for route in ROUTES:
        url = url_for(route, world)
        for body, content_type in [
            (b"title=\xff\xfe\xfd&body=\xc3\x28", "application/x-www-form-urlencoded"),
            (b"{" * 10_000, "application/json"),
            (b"--boundary\r\nbroken", "multipart/form-data; boundary=boundary"),
        ]:
            response = client.generic("POST", url, body, content_type=content_type)
            assert acceptable(response), f"{route.name}: {response.status_code}"


form_data = st.dictionaries(
    st.sampled_from(FIELD_NAMES) | st.text(min_size=1, max_size=20),
    st.text(max_size=300) | st.integers().map(str) | st.sampled_from(NASTY_VALUES),
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(route_index=st.integers(min_value=0, max_value=len(ROUTES) - 1), data=form_data)
def test_random_form_data_on_any_route_never_gives_a_500(world, route_index, data):
    client = Client(raise_request_exception=False)
    client.force_login(world.moderator)
    route = ROUTES[route_index]
    response = client.post(url_for(route, world), data)
    assert acceptable(response), f"{route.name} with {data!r}: {response.status_code}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2, 3]",
        "{" * 5000,
        json.dumps({"type": "x" * 100_000}),
        json.dumps({"type": None}),
        "\x00",
        json.dumps({"a": [[[[[[[[[[[]]]]]]]]]]]}),
    ],
)
async def test_malformed_frames_on_the_notification_socket_get_an_error_frame(frame, world):
    from asgiref.sync import sync_to_async

    client = Client()
    await sync_to_async(client.force_login)(world.member)
    cookie = client.cookies["sessionid"].value
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "unread"
    await communicator.send_to(text_data=frame)
    reply = await communicator.receive_output(timeout=3)
    if reply["type"] == "websocket.send":
        assert json.loads(reply["text"])["type"] == "error"
    else:
        assert reply["type"] == "websocket.close"
    await communicator.disconnect()
