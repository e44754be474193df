"""Security proof over the whole access table (issue 8): CSRF, safe GETs, IDOR, sessions."""

import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.access_table import all_routes
from tests.factories import PASSWORD, make_user

ROUTES = all_routes()
SIGNED_IN_ROLES = ("outsider", "member", "moderator", "steward")

# Tables a GET may touch: the session itself, the read mark on a notice opened from its e-mail
# link, and the read marks of forum topics (all idempotent).
GET_MAY_CHANGE = {
    "django_session",
    "community_notification",
    "forums_readstate",
}
# Rows a GET may add: the audit of a moderator reading a post's earlier versions (issue 4).
GET_MAY_ADD = {"community_auditevent": "verb NOT LIKE 'forum.moderator_%%'"}


def url_for(route, world):
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else {})


@pytest.mark.django_db
@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_every_post_without_a_csrf_token_is_refused(role, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(role))
    accepted = []
    for route in ROUTES:
        response = client.post(url_for(route, world), {"anything": "x"})
        if response.status_code != 403:
            accepted.append(f"{route.name}: {response.status_code}")
    assert accepted == []


def table_fingerprint():
    """Row count and a checksum of every table, except those a GET may legitimately touch."""
    fingerprint = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in GET_MAY_CHANGE or model._meta.proxy:
                continue
            where = f" WHERE {GET_MAY_ADD[table]}" if table in GET_MAY_ADD else ""
            cursor.execute(f'SELECT * FROM "{table}"{where}')  # noqa: S608
            rows = cursor.fetchall()
            fingerprint[table] = (len(rows), hash(tuple(sorted(map(repr, rows)))))
    return fingerprint


@pytest.mark.django_db
@pytest.mark.parametrize("role", ("anonymous", *SIGNED_IN_ROLES))
def test_no_get_changes_state(role, world, client):
    if role != "anonymous":
        client.force_login(world.user(role))
    before = table_fingerprint()
    for route in ROUTES:
        client.get(url_for(route, world))
    after = table_fingerprint()
    changed = sorted(t for t in before if before[t] != after.get(t))
    assert changed == []


def missing_kwargs(route, world):
    kwargs = route.kwargs(world) if route.kwargs else {}
    replaced = {}
    for key, value in kwargs.items():
        if isinstance(value, int):
            replaced[key] = 987654321
        elif key in {"slug", "network_slug", "forum_slug"}:
            replaced[key] = "no-such-thing"
        else:
            replaced[key] = value
    return replaced if replaced != kwargs else None


def length_class(response):
    return (
        len(
            re.sub(
                rb"[0-9a-f]{32,}|nonce-[^\"']+|csrfmiddlewaretoken\" value=\"[^\"]+",
                b"",
                response.content,
            )
        )
        // 512
    )


@pytest.mark.django_db
def test_an_object_you_may_not_see_answers_exactly_like_one_that_does_not_exist(world):
    """IDOR: another network's ids and non-existent ids get the same status and page size."""
    client = Client()
    client.force_login(world.outsider)
    differences = []
    checked = 0
    for route in ROUTES:
        if route.expect["outsider"] != 404:
            continue
        missing = missing_kwargs(route, world)
        if missing is None:
            continue
        real = client.get(url_for(route, world))
        absent = client.get(reverse(route.name, kwargs=missing))
        checked += 1
        if (real.status_code, length_class(real)) != (absent.status_code, length_class(absent)):
            differences.append(
                f"{route.name}: {real.status_code}/{len(real.content)} vs "
                f"{absent.status_code}/{len(absent.content)}"
            )
    assert differences == []
    assert checked >= 2


@pytest.mark.django_db
def test_the_session_key_changes_at_sign_in(client):
    user = make_user()
    client.get(reverse("account_login"))
    before = client.session.session_key
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(user.pk)


@pytest.mark.django_db
def test_signing_out_ends_the_session(client):
    user = make_user()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    key = client.session.session_key
    client.post(reverse("account_logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("community:dashboard")).status_code == 302


@pytest.mark.django_db
def test_a_password_change_ends_the_other_sessions():
    user = make_user()
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        assert device.get(reverse("community:dashboard")).status_code == 200
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a brand new long password 77",
            "password2": "a brand new long password 77",
        },
    )
    assert response.status_code == 302
    assert laptop.get(reverse("community:dashboard")).status_code == 200
    gone = phone.get(reverse("community:dashboard"))
    assert gone.status_code == 302 and gone["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_a_disabled_account_is_signed_out_everywhere(client):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("community:dashboard")).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("community:dashboard")).status_code == 302
