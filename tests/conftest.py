"""Shared fixtures: factories, the live daphne server, Chromium, axe, and the role world."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow the ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
HAVE_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
HAVE_REDIS = bool(os.environ.get("REDIS_URL"))
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    (ROOT / "var").mkdir(exist_ok=True)  # the SQLite test database lives there
    if REQUIRE_BROWSER and not HAVE_CHROMIUM:
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but Chromium was not found at {CHROMIUM}")
    if REQUIRE_SERVICES and not (HAVE_POSTGRES and HAVE_REDIS):
        raise pytest.UsageError(
            "REQUIRE_SERVICES=1 needs DATABASE_URL (PostgreSQL) and REDIS_URL to be set"
        )


def pytest_collection_modifyitems(config, items):
    # Playwright's sync API keeps an event loop running in this thread once Chromium starts,
    # which async tests cannot share: run every browser test after all the others.
    items.sort(key=lambda item: "browser" in item.keywords)
    for item in items:
        if "browser" in item.keywords and not HAVE_CHROMIUM:
            item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}"))
        if "postgres" in item.keywords and not HAVE_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if "redis" in item.keywords and not HAVE_REDIS:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start in {timeout} s")


def test_database_url():
    """The URL of the database pytest-django created, for a server in another process."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    original = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(original._replace(path=f"/{name}"))


test_database_url.__test__ = False


def usercache_env():
    """The per-user cache this test process uses, for a server in another process: a change made
    here (a new notice, a membership) must bump the versions that server reads. pytest-django
    loads the settings before this file runs, so the test process's own location is read back
    from the settings rather than set through the environment."""
    from django.conf import settings

    location = settings.CACHES["usercache"].get("LOCATION", "")
    if settings.CACHES["usercache"]["BACKEND"].endswith("FileBasedCache"):
        return {"USERCACHE_DIR": str(location)}
    return {}


class DaphneServer:
    def __init__(self, env=None, port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "DEBUG": "1",
            "SERVE_STATIC": "1",
            "TEST_PASSWORD_HASHER": "md5",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            **usercache_env(),
            **(env or {}),
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "daphne",
                "-v",
                "0",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "confide.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
        )
        wait_for_http(self.url + "/healthz")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def daphne_server(transactional_db):
    """A real daphne process serving the test database (HTTP and WebSockets).

    One per test: the database is flushed between tests and its content types made again with
    new ids, which a longer-lived server would still hold in its cache.
    """
    server = DaphneServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class BrowserSession:
    """One person's browser: a context with its own cookies, and what the page reported."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url)
        self.page = self.context.new_page()
        self.console_errors = []
        self.dialogs = []
        self.page.on(
            "console",
            lambda msg: msg.type == "error" and self.console_errors.append(msg.text),
        )
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def sign_in(self, user):
        """Sign in by session cookie, as the sign-in form would (the form is tested on its own)."""
        from django.test import Client

        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        self.context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": self.base_url}]
        )
        return self

    def close(self):
        self.context.close()


@pytest.fixture
def browser_session(chromium, daphne_server):
    """Make as many browser sessions as a test needs; all are closed afterwards."""
    sessions = []

    def make():
        session = BrowserSession(chromium, daphne_server.url)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


def off_loop(fn, *args, **kwargs):
    """Run set-up in another thread once Chromium is running.

    Playwright keeps an event loop in the test's thread, and the services ring the live layer
    with async_to_sync after commit, which refuses to run in a thread that has a loop.
    """
    from django.db import connection

    def run():
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def assert_accessible(page):
    """Fail on any WCAG 2.0/2.1/2.2 A or AA violation that axe-core finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def axe():
    return assert_accessible


class World:
    """One person in each role around an unlisted and a listed network.

    Roles: anonymous, outsider, member, agreement_pending (a member who has not accepted the
    current agreement), moderator, steward (runs both networks, a member of neither).
    """

    def __init__(self):
        from community.models import Network, NetworkRole
        from tests.factories import add_member, make_network, make_user

        self.steward = make_user(display_name="Grace Steward")
        self.network = make_network(
            steward=self.steward, name="Chairs' race equality network", slug="chairs"
        )
        self.listed = make_network(
            steward=self.steward,
            name="Board race equality learning network",
            slug="learning",
            listing=Network.Listing.LISTED,
        )
        self.member = add_member(self.network, make_user(display_name="Amara Member"))
        # A member who has not accepted the network's current agreement: sent to it, shown none
        # of the network's content, on every channel (DESIGN.md rule 11).
        self.agreement_pending = add_member(
            self.network, make_user(display_name="Ade Pending"), accept_agreement=False
        )
        self.moderator = add_member(
            self.network, make_user(display_name="Owen Moderator"), role=NetworkRole.MODERATOR
        )
        self.outsider = make_user(display_name="Priya Outsider")
        # Strings that must reach nobody outside the roles named (the leak probe).
        self.secrets = []
        self.protect(self.network.name, "member", "agreement_pending", "moderator", "steward")
        from community import services

        services.update_profile(
            actor=self.member,
            ethnicity="Secret-ethnicity-Caribbean",
            lived_experience="Secret-lived-experience-statement",
        )
        self.protect("Secret-ethnicity-Caribbean", "member")
        self.protect("Secret-lived-experience-statement", "member")
        from tests.access_table import build_world

        build_world(self)

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)

    def protect(self, text, *may_see):
        """Declare a protected string and the roles that may see it; no one else may."""
        self.secrets.append((text, frozenset(may_see)))


@pytest.fixture
def world(db):
    return World()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test passwords need no work factor; daphne servers in tests accept the same hashes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_user_cache():
    """Each test starts with a new site version of the per-user cache (community/usercache.py):
    ids are reused from one test's database to the next, and the cache outlives both."""
    from community import usercache

    usercache._replace(usercache.SITE_KEY)
