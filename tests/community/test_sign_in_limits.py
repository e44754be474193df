"""Failed sign-ins are counted per person, not per proxy (issue 11, finding 5).

Behind the documented nginx config every request's peer is the proxy; the proxy forwards the
client's address in X-Forwarded-For, which is believed only from settings.TRUSTED_PROXIES.
"""

import ipaddress
import random
import uuid

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from community.request_limits import client_address
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
TRUSTED = override_settings(TRUSTED_PROXIES=[ipaddress.ip_network(PROXY)])


def fresh_address():
    # The limits live in the shared cache (Redis with the services): a new address per run.
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def fresh_person():
    return make_user(email=f"{uuid.uuid4().hex[:12]}@trust.nhs.example")


def sign_in(person, password, *, forwarded_for, peer=PROXY):
    """One sign-in through the proxy: a new browser, the proxy's header and peer address."""
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": person.email, "password": password},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    return "_auth_user_id" in client.session, response


@TRUSTED
def test_six_wrong_passwords_lock_only_that_account_from_that_address():
    a, b = fresh_person(), fresh_person()
    address_1, address_2 = fresh_address(), fresh_address()
    for _ in range(6):
        signed_in, _response = sign_in(a, "wrong password entirely", forwarded_for=address_1)
        assert not signed_in
    signed_in, response = sign_in(a, PASSWORD, forwarded_for=address_1)
    assert not signed_in
    assert "Too many failed login attempts" in response.content.decode()
    # Someone else at the same address, and the same account from elsewhere, still get in.
    assert sign_in(b, PASSWORD, forwarded_for=address_1)[0]
    assert sign_in(a, PASSWORD, forwarded_for=address_2)[0]


@TRUSTED
def test_the_header_is_read_from_the_right_so_a_client_cannot_choose_its_address():
    a = fresh_person()
    address = fresh_address()
    for _ in range(6):
        spoofed = f"{fresh_address()}, {address}"  # nginx's $proxy_add_x_forwarded_for
        assert not sign_in(a, "wrong password entirely", forwarded_for=spoofed)[0]
    assert not sign_in(a, PASSWORD, forwarded_for=address)[0]


@TRUSTED
def test_a_header_from_a_peer_that_is_not_the_proxy_is_ignored():
    a = fresh_person()
    stranger = fresh_address()
    for _ in range(6):
        # A different forwarded address each time: if believed, no limit would ever trip.
        signed_in, _ = sign_in(
            a, "wrong password entirely", forwarded_for=fresh_address(), peer=stranger
        )
        assert not signed_in
    assert not sign_in(a, PASSWORD, forwarded_for=fresh_address(), peer=stranger)[0]


def test_without_trusted_proxies_the_header_is_never_read(rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "192.0.2.9"
    with TRUSTED:
        request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5, 127.0.0.1")
        assert client_address(request) == "203.0.113.5"
        request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not an address")
        assert client_address(request) == PROXY


def test_the_documented_proxy_config_forwards_the_client_address_in_every_location():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "deployment.md").read_text()
    nginx = docs.split("```nginx", 1)[1].split("```", 1)[0]
    locations = [block for block in nginx.split("location ")[1:] if "proxy_pass" in block]
    assert locations
    for block in locations:
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in block.split("}", 1)[0]
    assert "TRUSTED_PROXIES" in docs
