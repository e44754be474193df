"""Two-factor sign-in: compulsory for those who hold power, never bypassed, rate limited."""

import random
import re

import pytest
from django.core import mail
from django.urls import reverse

from community import policies
from community.middleware import must_enrol
from community.models import NetworkRole
from tests.factories import PASSWORD, add_member, enrol_totp, make_network, make_user, totp_code

pytestmark = pytest.mark.django_db


def sign_in_form(client, user, password=PASSWORD, ip="127.0.0.1"):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": password}, REMOTE_ADDR=ip
    )


def test_a_steward_without_totp_is_sent_to_enrol_before_any_page():
    steward = make_user()
    make_network(steward=steward, slug="run-by-steward")
    from django.test import Client

    client = Client()
    client.force_login(steward)
    for url in (reverse("community:dashboard"), reverse("community:networks"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url


def test_enrolment_re_authentication_sign_out_and_public_pages_stay_open(client):
    steward = make_user()
    make_network(steward=steward, slug="open-pages")
    client.force_login(steward)
    for name in ("account_logout", "account_reauthenticate", "community:privacy"):
        assert client.get(reverse(name)).status_code == 200, name
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before showing the secret; that page is open.
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_a_steward_with_totp_gets_through(client):
    steward = make_user()
    make_network(steward=steward, slug="with-totp")
    enrol_totp(steward)
    client.force_login(steward)
    assert client.get(reverse("community:dashboard")).status_code == 200


@pytest.mark.parametrize("role", [NetworkRole.MODERATOR])
def test_a_moderator_must_enrol(client, role):
    network = make_network(slug="moderated")
    moderator = add_member(network, make_user(), role=role)
    client.force_login(moderator)
    assert client.get(reverse("community:dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_members_of_a_network_that_requires_it_must_enrol_and_others_need_not(client):
    strict = make_network(slug="strict", requires_two_factor=True)
    relaxed = make_network(slug="relaxed")
    strict_member = add_member(strict, make_user())
    relaxed_member = add_member(relaxed, make_user())
    client.force_login(relaxed_member)
    assert client.get(reverse("community:dashboard")).status_code == 200
    client.force_login(strict_member)
    assert client.get(reverse("community:dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_an_apps_hook_can_require_two_factor(client, monkeypatch):
    from django.apps import apps

    person = make_user()
    config = apps.get_app_config("community")
    from django.db.models import Exists

    from community.models import User

    # A hook answers with Exists() expressions, folded into the one query of the check.
    monkeypatch.setattr(
        config,
        "two_factor_roles",
        lambda user: [Exists(User.objects.filter(pk=user.pk, email=person.email))],
        raising=False,
    )
    client.force_login(person)
    assert client.get(reverse("community:dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_the_check_costs_one_query_for_someone_with_totp(django_assert_num_queries):
    steward = make_user()
    make_network(steward=steward, slug="cheap")
    enrol_totp(steward)
    with django_assert_num_queries(1):
        assert policies.must_enrol_in_two_factor(steward) is False
    assert must_enrol(steward) is False
    # Pages read it from the per-user cache (community/usercache.py): no query when warm.
    fresh = type(steward).objects.get(pk=steward.pk)
    with django_assert_num_queries(0):
        assert must_enrol(fresh) is False


def test_the_check_costs_one_query_for_a_member_without_totp(django_assert_num_queries):
    network = make_network(slug="cheap-member")
    member = add_member(network, make_user())
    member = type(member).objects.get(pk=member.pk)
    with django_assert_num_queries(1):
        assert policies.must_enrol_in_two_factor(member) is False


def test_the_check_costs_one_query_for_a_moderator_without_totp(django_assert_num_queries):
    network = make_network(slug="cheap-moderator")
    moderator = add_member(network, make_user(), role=NetworkRole.MODERATOR)
    moderator = type(moderator).objects.get(pk=moderator.pk)
    with django_assert_num_queries(1):
        assert policies.must_enrol_in_two_factor(moderator) is True


def test_a_password_reset_does_not_bypass_the_second_factor(client):
    steward = make_user()
    make_network(steward=steward, slug="reset")
    secret = enrol_totp(steward)
    client.post(reverse("account_reset_password"), {"email": steward.email})
    (message,) = mail.outbox
    path = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", message.body).group(1)
    response = client.get(path)
    assert response.status_code == 302  # allauth moves the key into the session
    set_password_url = response["Location"]
    new_password = "a different long password 99"
    response = client.post(set_password_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    # The reset does not sign anyone in.
    assert "_auth_user_id" not in client.session
    # Signing in with the new password stops at the second factor.
    response = sign_in_form(client, steward, new_password)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    dashboard = client.get(reverse("community:dashboard"))
    assert dashboard["Location"].startswith(reverse("account_login"))
    # Only the code finishes the sign-in.
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(steward.pk)
    assert client.get(reverse("community:dashboard")).status_code == 200


def test_sign_in_is_rate_limited_after_repeated_failures(client):
    person = make_user()
    # A fresh address per run: the limits live in the shared cache.
    ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    for _ in range(5):
        response = sign_in_form(client, person, "wrong password entirely", ip=ip)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = sign_in_form(client, person, PASSWORD, ip=ip)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def test_the_admin_sign_in_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db(transaction=True)
async def test_a_steward_without_totp_cannot_open_a_websocket_until_enrolled():
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from confide.asgi import application
    from tests.factories import enrol_totp, make_network, make_user

    steward = await sync_to_async(make_user)()
    await sync_to_async(make_network)(steward=steward, slug="two-factor-sockets")
    client = Client()
    await sync_to_async(client.force_login)(steward)
    headers = [
        (b"origin", b"http://127.0.0.1"),
        (b"host", b"127.0.0.1"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]

    refused = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    await refused.connect()
    assert await refused.receive_output() == {"type": "websocket.close", "code": 4401}
    await refused.disconnect()

    await sync_to_async(enrol_totp)(steward)
    allowed = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await allowed.connect()
    assert connected
    assert await allowed.receive_json_from() == {"type": "unread", "count": 0}
    await allowed.disconnect()
