"""allauth's pages and e-mails speak like the rest of the site, in the site's layout."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, enrol_totp, make_user

pytestmark = pytest.mark.django_db

# allauth's own words that the site says differently (sentence case, one name for two-factor).
ALLAUTH_WORDS = [
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Two-Factor Authentication",
    "Authenticator App",
    "Recovery Codes",
    "Change Password",
    "Password Reset",
    "Email Addresses",
    "Confirm Access",
    "Menu:",
    "Sessions</h1>",
]


def assert_site_page(response):
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="site-header"' in page and 'class="site-footer"' in page
    for words in ALLAUTH_WORDS:
        assert words not in page, words
    # Every script carries the CSP nonce (allauth's own pages load scripts without one).
    for tag in re.findall(r"<script[^>]*>", page):
        assert "nonce=" in tag, tag
    return page


def test_the_public_account_pages_use_the_sites_words_and_layout(client):
    page = assert_site_page(client.get(reverse("account_login")))
    assert "by invitation only" in page and "There is no sign-up form" in page
    assert "sign up" not in page.lower().replace("sign-up form", "")
    assert_site_page(client.get(reverse("account_reset_password")))
    assert_site_page(client.get(reverse("account_signup")))


def test_the_signed_in_account_pages_use_the_sites_words_and_layout(client):
    user = make_user()
    enrol_totp(user)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    code_page = client.get(reverse("mfa_authenticate"))
    assert "Two-factor authentication" in assert_site_page(code_page)
    from tests.factories import totp_code

    secret = enrol_totp(user)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    for name in (
        "account_email",
        "account_change_password",
        "mfa_index",
        "usersessions_list",
        "mfa_generate_recovery_codes",
        "mfa_deactivate_totp",
    ):
        page = assert_site_page(client.get(reverse(name)))
        assert 'aria-label="Your account"' in page, name
    assert "Two-factor authentication is on." in client.get(reverse("mfa_index")).content.decode()


def test_the_password_reset_emails_never_invite_a_stranger_to_sign_up(client):
    user = make_user()
    client.post(reverse("account_reset_password"), {"email": user.email})
    client.post(reverse("account_reset_password"), {"email": "stranger@elsewhere.example"})
    known, unknown = mail.outbox
    assert known.subject == "[Confide] Choose a new password"
    assert "/accounts/password/reset/key/" in known.body
    assert "by invitation only" in unknown.body
    assert "sign up" not in unknown.body.lower() and "/accounts/signup/" not in unknown.body
