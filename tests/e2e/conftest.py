"""Browser-test fixtures shared by the journeys that start from an e-mail."""

import pytest

from tests.conftest import BrowserSession, DaphneServer, free_port


@pytest.fixture
def mail_server(tmp_path, django_db_blocker, transactional_db):
    """A daphne of our own (DEBUG on, as in the demo) that writes its e-mail to files."""
    port = free_port()
    with django_db_blocker.unblock():
        server = DaphneServer(
            port=port,
            env={
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(tmp_path / "mail"),
                "SITE_URL": f"http://127.0.0.1:{port}",
            },
        ).start()
    server.mail_dir = tmp_path / "mail"
    yield server
    server.stop()


@pytest.fixture
def browser(chromium, mail_server):
    sessions = []

    def make(**options):
        session = BrowserSession(chromium, mail_server.url)
        if options:
            session.context.close()
            session.context = chromium.new_context(base_url=mail_server.url, **options)
            session.page = session.context.new_page()
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
