"""Ending a session closes its sockets whichever daphne process holds them (Redis run).

Two daphne processes share the database and Redis. A sign-out answered by one process closes
the topic socket held by the other; a password change made in this test process (a third
channel layer instance) closes a socket held by a daphne process. Absence is proved by a marker
connection that receives the next post while the closed socket received nothing before its close.
"""

import asyncio
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from forums import services
from tests.conftest import DaphneServer
from tests.factories import PASSWORD

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

WAIT = 20


@pytest.fixture
def two_servers(transactional_db):
    servers = [DaphneServer().start(), DaphneServer().start()]
    yield servers
    for server in servers:
        server.stop()


def new_session(user):
    client = Client()
    client.force_login(user)
    return client, client.cookies["sessionid"].value


async def topic_socket(server, cookie, topic_id):
    return await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/forums/topics/{topic_id}/",
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": server.url},
        open_timeout=WAIT,
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_out_over_http(server, cookie):
    """What a browser does on the sign-out page: read the form's CSRF token, then POST it."""
    opener = urllib.request.build_opener(NoRedirect)
    url = server.url + reverse("account_logout")
    page = opener.open(urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"}))
    html = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.headers["Set-Cookie"]).group(1)
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
        headers={"Cookie": f"sessionid={cookie}; csrftoken={csrf_cookie}"},
    )
    try:
        opener.open(request)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302  # signed out and sent on
    else:
        raise AssertionError("sign-out did not redirect")


async def post_seen_by(marker, space, topic, body):
    post = await sync_to_async(services.reply)(actor=space.author, topic=topic, body=body)
    while True:
        message = json.loads(await asyncio.wait_for(marker.recv(), WAIT))
        if message.get("post_id") == post.pk:
            return


async def assert_closed_with(socket, code):
    """The socket's next event is its close, with this code: nothing was sent before it."""
    with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
        await asyncio.wait_for(socket.recv(), WAIT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == code


async def test_sign_out_on_one_process_closes_the_socket_held_by_the_other(space, two_servers):
    first, second = two_servers
    topic = await sync_to_async(space.topic)()
    _client, cookie = await sync_to_async(new_session)(space.peer)
    _m, marker_cookie = await sync_to_async(new_session)(space.inner)
    held = await topic_socket(first, cookie, topic.pk)
    marker = await topic_socket(second, marker_cookie, topic.pk)
    try:
        await post_seen_by(marker, space, topic, "Before: both hear it")
        assert json.loads(await asyncio.wait_for(held.recv(), WAIT))["type"] == "post"
        await sync_to_async(sign_out_over_http)(second, cookie)
        await post_seen_by(marker, space, topic, "After the sign-out")
        await assert_closed_with(held, 4401)
    finally:
        await held.close()
        await marker.close()


async def test_a_password_change_elsewhere_closes_a_socket_held_by_a_daphne_process(
    space, two_servers
):
    topic = await sync_to_async(space.topic)()
    _laptop, cookie = await sync_to_async(new_session)(space.peer)
    phone, _ = await sync_to_async(new_session)(space.peer)
    _m, marker_cookie = await sync_to_async(new_session)(space.inner)
    held = await topic_socket(two_servers[0], cookie, topic.pk)
    marker = await topic_socket(two_servers[1], marker_cookie, topic.pk)
    try:
        response = await sync_to_async(phone.post)(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a brand new long password 77",
                "password2": "a brand new long password 77",
            },
        )
        assert response.status_code == 302
        await post_seen_by(marker, space, topic, "After the password change")
        await assert_closed_with(held, 4401)
    finally:
        await held.close()
        await marker.close()
