"""PostgreSQL restarted under load: clean 503s and "reconnecting" during the outage, recovery by
itself, nothing lost.

The test runs its own PostgreSQL cluster on a spare port, so restarting it disturbs nothing else.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.conftest import ROOT, DaphneServer, free_port

pytestmark = pytest.mark.postgres

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:] or [""]
PG_BIN = PG_BIN[0]


def as_postgres(*command, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command],
        check=True,
        capture_output=True,
        text=True,  # noqa: S603
        **kwargs,
    )


class PrivatePostgres:
    def __init__(self, directory):
        self.dir = directory
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/confide"

    def ctl(self, *args):
        as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(self.dir / "data"), "-w", "-t", "30", *args)

    def start(self):
        self.ctl(
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
            "-l",
            str(self.dir / "log"),
            "start",
        )

    def stop(self):
        self.ctl("-m", "fast", "stop")

    def create(self):
        as_postgres(
            f"{PG_BIN}/initdb",
            "-D",
            str(self.dir / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.start()
        as_postgres(
            f"{PG_BIN}/createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "confide",
        )


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,  # noqa: S603
        capture_output=True,
        text=True,
    )


class Browser:
    """A signed-in person making plain HTTP requests with cookies (no JavaScript needed)."""

    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=body,  # noqa: S310
            headers={"Referer": self.base + path},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def private_postgres():
    if not PG_BIN:
        pytest.skip("PostgreSQL server binaries not found")
    # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
    directory = Path(tempfile.mkdtemp(prefix="confide-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    database = PrivatePostgres(directory)
    database.create()
    yield database
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            f"{PG_BIN}/pg_ctl",
            "-D",  # noqa: S603, S607
            str(directory / "data"),
            "-m",
            "immediate",
            "stop",
        ],
        capture_output=True,
    )
    shutil.rmtree(directory, ignore_errors=True)


def sign_in(server, email):
    person = Browser(server.url)
    _, page = person.request("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _ = person.request(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": email, "password": "confide-demo-2026"},
    )
    assert status == 302
    return person


SET_SESSION_LIVE = (
    "from events.models import Event; from events.live.models import LiveSession;"
    "event = Event.objects.get(title='Using WRES data at board level');"
    "LiveSession.objects.update_or_create(event=event, defaults={'state': 'live'});"
    "print(event.pk)"
)
RECONNECTING = "Connection lost. Reconnecting…"


def send_chat(page, text):
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


@pytest.mark.browser
@pytest.mark.django_db
def test_postgres_restart_during_pages_and_live_chat_gives_503s_and_reconnecting_then_recovers(
    private_postgres, chromium
):
    from playwright.sync_api import expect

    database = private_postgres
    env = {**os.environ, "DATABASE_URL": database.url, "DB_POOL_MIN": "1"}
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    event_id = int(manage(env, "shell", "-c", SET_SESSION_LIVE).stdout.split()[-1])
    accepted_before = count_acceptances(env)
    # Production mode (handler500, no debug pages), over plain HTTP on loopback.
    server = DaphneServer(
        env={
            "DATABASE_URL": database.url,
            "DB_POOL_MIN": "1",
            "DEBUG": "0",
            "SECRET_KEY": "outage-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SERVE_STATIC": "1",
        }
    ).start()
    context = chromium.new_context(base_url=server.url)
    try:
        chair = sign_in(server, "chair@demo.confide.invalid")
        # A registrant of the live session, in a real browser.
        ned = sign_in(server, "ned@demo.confide.invalid")
        context.add_cookies(
            [{"name": "sessionid", "value": ned.cookie("sessionid"), "url": server.url}]
        )
        page = context.new_page()
        page.goto(f"/events/{event_id}/live/")
        state = page.locator("[data-live-state]")
        expect(state).to_have_text("Connected")
        send_chat(page, "Before the outage")
        expect(page.locator("[data-chat]")).to_contain_text("Before the outage")

        results = []  # (kind, status, started, answered)
        stop = threading.Event()

        def load():
            while not stop.is_set():
                started = time.monotonic()
                status, _ = chair.request("/notifications/")
                results.append(("view", status, started, time.monotonic()))
                started = time.monotonic()
                status, _ = chair.request(
                    "/networks/chairs/agreement/",
                    {"csrfmiddlewaretoken": chair.cookie("csrftoken")},
                )
                results.append(("write", status, started, time.monotonic()))

        worker = threading.Thread(target=load)
        worker.start()
        time.sleep(2)
        outage_start = time.monotonic()
        database.stop()
        stopped = time.monotonic()  # from here until `starting` the database is certainly down

        # Live chat during the outage: the person is told it was not sent, keeps what they
        # typed, and sees the connection retrying.
        send_chat(page, "Sent while the database was down")
        expect(page.locator("[data-error]")).to_contain_text("briefly unavailable", timeout=15_000)
        expect(state).to_have_text(RECONNECTING, timeout=15_000)
        expect(page.get_by_label("Your message")).to_have_value("Sent while the database was down")

        time.sleep(max(0.0, stopped + 10 - time.monotonic()))
        expect(state).to_have_text(RECONNECTING)
        starting = time.monotonic()
        database.start()
        outage_end = time.monotonic()

        # The live page comes back by itself; sending again now works, once.
        expect(state).to_have_text("Connected", timeout=60_000)
        page.get_by_label("Your message").press("Enter")
        expect(page.locator("[data-chat]")).to_contain_text("Sent while the database was down")

        # Pages come back by itself too: wait for a steady run of answered requests.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(steady_after(results, outage_end)) < 6:
            time.sleep(0.5)
        stop.set()
        worker.join(60)
    finally:
        context.close()
        server.stop()

    statuses = {status for _, status, _, _ in results}
    assert statuses <= {200, 302, 503}, statuses
    timeline = [(kind, status, round(t - outage_start, 1)) for kind, status, _, t in results]
    # Answered while the database was certainly down: only the calm 503 page.
    down = [s for _, s, _, t in results if stopped + 0.5 < t < starting]
    assert set(down) <= {503}, timeline
    # And the outage was noticed: requests failed cleanly rather than hanging until it ended.
    assert 503 in {s for _, s, _, t in results if outage_start < t < outage_end + 5}, timeline
    # Recovered: from the first good answer after the restart, every request succeeds.
    steady = steady_after(results, outage_end)
    assert len(steady) >= 6, timeline
    print(f"pages answered again {steady[0][3] - outage_end:.1f} s after PostgreSQL was back")

    # Every write that was answered as done is in the database after the restart, and each
    # chat message the page showed is there exactly once.
    done_writes = sum(1 for kind, status, _, _ in results if kind == "write" and status == 302)
    assert done_writes > 0
    assert count_acceptances(env) - accepted_before == done_writes
    assert chat_texts(env) == ["Before the outage", "Sent while the database was down"]


def steady_after(results, moment):
    """The requests from the first one started after `moment` and answered well, if all of
    those that followed were answered well too; else nothing."""
    after = [r for r in results if r[2] > moment]
    first = next((i for i, r in enumerate(after) if r[1] in (200, 302)), None)
    if first is None or any(r[1] not in (200, 302) for r in after[first:]):
        return []
    return after[first:]


def chat_texts(env):
    output = manage(
        env,
        "shell",
        "-c",
        "import json; from events.live.models import ChatMessage as M;"
        "print(json.dumps(list(M.objects.order_by('pk').values_list('text', flat=True))))",
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def count_acceptances(env):
    output = manage(
        env,
        "shell",
        "-c",
        "from community.models import AuditEvent;"
        "print(AuditEvent.objects.filter(verb='network.agreement_accept').count())",
    )
    return int(output.stdout.split()[-1])
