"""PostgreSQL restarted under load: clean 503s during the outage, recovery, nothing lost.

The test runs its own PostgreSQL cluster on a spare port, so restarting it disturbs nothing else.
"""

import glob
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


@pytest.mark.django_db
def test_postgres_restart_during_load_gives_clean_503s_then_recovers_and_loses_nothing(
    private_postgres,
):
    database = private_postgres
    env = {**os.environ, "DATABASE_URL": database.url, "DB_POOL_MIN": "1"}
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
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
        }
    ).start()
    try:
        chair = Browser(server.url)
        status, page = chair.request("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = chair.request(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token,
                "login": "chair@demo.confide.invalid",
                "password": "confide-demo-2026",
            },
        )
        assert status == 302

        results = []
        stop = threading.Event()

        def load():
            while not stop.is_set():
                status, _ = chair.request("/notifications/")
                results.append(("view", status, time.monotonic()))
                status, _ = chair.request(
                    "/networks/chairs/agreement/",
                    {"csrfmiddlewaretoken": chair.cookie("csrftoken")},
                )
                results.append(("write", status, time.monotonic()))

        worker = threading.Thread(target=load)
        worker.start()
        time.sleep(2)
        outage_start = time.monotonic()
        database.stop()
        stopped = time.monotonic()  # from here until `starting` the database is certainly down
        time.sleep(10)
        starting = time.monotonic()
        database.start()
        outage_end = time.monotonic()
        time.sleep(6)
        stop.set()
        worker.join(60)
    finally:
        server.stop()

    statuses = {status for _, status, _ in results}
    assert statuses <= {200, 302, 503}, statuses
    timeline = [(kind, status, round(t - outage_start, 1)) for kind, status, t in results]
    # Answered while the database was certainly down: only the calm 503 page.
    down = [s for _, s, t in results if stopped + 0.5 < t < starting]
    assert set(down) <= {503}, timeline
    # And the outage was noticed: requests failed cleanly rather than hanging until it ended.
    assert 503 in {s for _, s, t in results if outage_start < t < outage_end + 5}, timeline
    recovered = [s for _, s, t in results if t > outage_end + 3]
    assert recovered and set(recovered) <= {200, 302}

    # Every write that was answered as done is in the database after the restart.
    done_writes = sum(1 for kind, status, _ in results if kind == "write" and status == 302)
    assert done_writes > 0
    assert count_acceptances(env) - accepted_before == done_writes


def count_acceptances(env):
    output = manage(
        env,
        "shell",
        "-c",
        "from community.models import AuditEvent;"
        "print(AuditEvent.objects.filter(verb='network.agreement_accept').count())",
    )
    return int(output.stdout.split()[-1])
