"""Operations: request ids, structured logs without personal content, backups that restore."""

import json
import logging

import pytest

from community.logging import JsonFormatter, RequestIdFilter


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(client):
    generated = client.get("/privacy/")
    assert len(generated["X-Request-ID"]) == 32
    kept = client.get("/privacy/", headers={"X-Request-ID": "proxy-abc-12345678"})
    assert kept["X-Request-ID"] == "proxy-abc-12345678"
    forged = client.get("/privacy/", headers={"X-Request-ID": "<script>\nfake log line"})
    assert forged["X-Request-ID"] != "<script>\nfake log line"


@pytest.mark.django_db
def test_a_failed_sign_in_is_logged_without_the_address_typed(client, caplog):
    with caplog.at_level(logging.WARNING, logger="confide.security"):
        client.post(
            "/accounts/login/",
            {"login": "someone.private@trust.nhs.example", "password": "wrong password"},
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "confide.security"]
    assert "sign-in failed" in lines
    assert not any("someone.private" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_a_refused_page_is_logged_with_ids_only(client, world, caplog):
    client.force_login(world.outsider)
    with caplog.at_level(logging.INFO, logger="confide.security"):
        response = client.get(f"/networks/{world.network.slug}/")
    assert response.status_code == 404
    (line,) = [r.getMessage() for r in caplog.records if r.name == "confide.security"]
    assert line == f"not found or not allowed: view=community:network user_id={world.outsider.pk}"
    assert world.network.name not in line


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("confide", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "hello world"
    assert entry["request_id"] == "-"
    assert entry["level"] == "INFO"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_with_every_row(world, tmp_path):
    import os
    import subprocess
    import urllib.parse

    import psycopg

    from community.models import AuditEvent, Network, User
    from tests.conftest import ROOT, test_database_url

    source = test_database_url()
    dump = tmp_path / "confide.dump"
    env = {**os.environ, "DATABASE_URL": source}
    subprocess.run([ROOT / "bin" / "backup-db", dump], env=env, check=True, capture_output=True)
    restored_name = f"{urllib.parse.urlsplit(source).path.lstrip('/')}_restored"
    restored = urllib.parse.urlunsplit(
        urllib.parse.urlsplit(source)._replace(path=f"/{restored_name}")
    )
    server = urllib.parse.urlunsplit(urllib.parse.urlsplit(source)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
    try:
        subprocess.run(
            [ROOT / "bin" / "restore-db", dump],
            env={**os.environ, "DATABASE_URL": restored},
            check=True,
            capture_output=True,
        )
        with psycopg.connect(restored) as copy:
            for model in (User, Network, AuditEvent):
                table = model._meta.db_table
                (count,) = copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()
                assert count == model.objects.count() > 0, table
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
