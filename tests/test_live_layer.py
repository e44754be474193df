"""The channel layer on real Redis behind a real daphne process (REQUIRE_SERVICES run)."""

import asyncio
import json
import time

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.test import Client

from community import services
from tests.conftest import DaphneServer
from tests.factories import make_user

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server():
    server = DaphneServer().start()
    yield server
    server.stop()


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(server, cookie, path="/ws/notifications/"):
    return await websockets.connect(
        server.url.replace("http", "ws") + path,
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": server.url},
        open_timeout=30,
    )


async def next_message(socket, timeout=10):
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def test_an_idle_websocket_on_redis_is_still_open_and_subscribed_after_ten_seconds(
    redis_server,
):
    user = await sync_to_async(make_user)()
    cookie = await sync_to_async(session_cookie)(user)
    socket = await open_socket(redis_server, cookie)
    try:
        assert await next_message(socket) == {"type": "unread", "count": 0}
        await asyncio.sleep(11)
        # The bell rings through Redis from this process; the idle socket must hear it.
        await sync_to_async(services.notify)(user=user, kind="added_to_network", url="/")
        assert await next_message(socket) == {"type": "unread", "count": 1}
    finally:
        await socket.close()


async def test_150_websockets_connect_at_once_to_one_daphne_on_redis(redis_server):
    users = [await sync_to_async(make_user)() for _ in range(10)]
    cookies = [await sync_to_async(session_cookie)(user) for user in users]
    started = time.monotonic()
    sockets = await asyncio.gather(
        *(open_socket(redis_server, cookies[i % len(cookies)]) for i in range(150)),
        return_exceptions=True,
    )
    try:
        failures = [s for s in sockets if isinstance(s, BaseException)]
        assert failures == []
        greetings = await asyncio.gather(*(next_message(s, timeout=30) for s in sockets))
        assert all(g == {"type": "unread", "count": 0} for g in greetings)
        # Every one of them is subscribed: one bell per user reaches all 15 of that user's sockets.
        await sync_to_async(services.notify)(user=users[0], kind="added_to_network", url="/")
        heard = await asyncio.gather(*(next_message(s) for s in sockets[::10]))
        assert all(h == {"type": "unread", "count": 1} for h in heard)
    finally:
        await asyncio.gather(*(s.close() for s in sockets if not isinstance(s, BaseException)))
    print(f"150 sockets connected and greeted in {time.monotonic() - started:.2f} s")
