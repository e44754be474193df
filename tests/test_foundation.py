"""The foundation: security headers, health check, WebSocket origin check, settings."""

import json
import os
import subprocess
import sys

import pytest
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from confide.asgi import application
from tests.access_table import all_routes
from tests.conftest import ROOT, DaphneServer, free_port

PUBLIC_PAGES = ["/accounts/login/", "/privacy/", "/accessibility/", "/accounts/password/reset/"]


def assert_security_headers(response, path):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, path
    assert "object-src 'none'" in csp, path
    assert "base-uri 'none'" in csp, path
    assert "frame-ancestors 'none'" in csp, path
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    # Scripts come from this origin; a page with an inline script adds its nonce to this.
    assert "script-src 'self'" in csp, path
    assert response.headers["Referrer-Policy"] == "same-origin", path
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert response.headers["X-Frame-Options"] == "DENY", path


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_send_security_headers_and_may_be_cached_privately(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_security_headers(response, path)
    assert "no-store" not in response.headers.get("Cache-Control", "") or path.startswith(
        "/accounts/"
    )


@pytest.mark.django_db
def test_every_page_for_a_signed_in_member_is_no_store_with_security_headers(client, world):
    client.force_login(world.member)
    checked = 0
    for route in all_routes():
        if route.expect["member"] != 200 or route.method != "get":
            continue
        kwargs = route.kwargs(world) if route.kwargs else {}
        path = reverse(route.name, kwargs=kwargs)
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path
        if response.headers["Content-Type"].startswith("text/html"):
            assert_security_headers(response, path)
        checked += 1
    assert checked >= 5


@pytest.mark.django_db
def test_pages_load_nothing_from_another_origin(client, world):
    client.force_login(world.member)
    html = client.get(reverse("community:dashboard")).content.decode()
    for marker in ("http://", "https://", "//cdn", "fonts.googleapis"):
        for attr in ('src="', 'href="'):
            assert f"{attr}{marker}" not in html


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("community:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_admin_sign_in_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_channel_layer_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "channel_layer": True}
    assert "no-store" in response.headers["Cache-Control"]


def fetch_health(server):
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    server = DaphneServer(env={"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    server.start()
    try:
        status, body = fetch_health(server)
    finally:
        server.stop()
    assert status == 503
    assert body == {"status": "unavailable", "database": False, "channel_layer": True}


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_channel_layer_is_unreachable():
    closed_port = free_port()  # nothing listens here
    server = DaphneServer(env={"REDIS_URL": f"redis://127.0.0.1:{closed_port}/0"})
    server.start()
    try:
        status, body = fetch_health(server)
    finally:
        server.stop()
    assert status == 503
    assert body == {"status": "unavailable", "database": True, "channel_layer": False}


@pytest.mark.django_db(transaction=True)
async def test_websocket_handshake_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")],
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_websocket_without_a_session_is_closed_with_4401():
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")],
    )
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401
    await communicator.disconnect()


def run_settings(env):
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-real-secret-key-from-the-environment-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "confide.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://confide.example.org",
    "SITE_URL": "https://confide.example.org",
}


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_settings(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_settings(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_redis_channel_layer_keeps_idle_sockets_and_a_large_pool():
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='confide.settings';"
            "django.setup(); from django.conf import settings;"
            "import json; print(json.dumps(settings.CHANNEL_LAYERS['default']['CONFIG']['hosts']))",
        ],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/0"},
        capture_output=True,
        text=True,
        check=True,
    )
    (host,) = json.loads(result.stdout)
    assert host["socket_timeout"] is None
    assert host["max_connections"] >= 1000


def test_sentinel_settings_give_the_channel_layer_a_sentinel_host_with_the_same_pool_fixes():
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='confide.settings';"
            "django.setup(); from django.conf import settings;"
            "import json; print(json.dumps(settings.CHANNEL_LAYERS['default']))",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "REDIS_URL": "",
            "REDIS_SENTINELS": "10.0.0.1:26379,10.0.0.2:26379",
            "REDIS_SENTINEL_MASTER": "confide",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    layer = json.loads(result.stdout)
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    (host,) = layer["CONFIG"]["hosts"]
    assert host["sentinels"] == [["10.0.0.1", 26379], ["10.0.0.2", 26379]]
    assert host["master_name"] == "confide"
    assert host["socket_timeout"] is None and host["max_connections"] >= 1000


@pytest.mark.django_db(transaction=True)
async def test_a_bell_meant_for_another_kind_of_connection_does_not_close_this_one():
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer
    from django.test import Client

    from community import live, services
    from tests.factories import make_user

    user = await sync_to_async(make_user)()
    client = Client()
    await sync_to_async(client.force_login)(user)
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
    )
    assert (await communicator.connect())[0]
    assert await communicator.receive_json_from() == {"type": "unread", "count": 0}
    # A cancelled registration tells every connection of the user; this one is not live.
    await get_channel_layer().group_send(
        live.user_group(user.pk), {"type": "live.revoke", "event_id": 1}
    )
    await sync_to_async(services.notify)(user=user, kind="added_to_network", url="/")
    assert await communicator.receive_json_from() == {"type": "unread", "count": 1}
    await communicator.disconnect()
