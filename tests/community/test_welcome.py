"""The first minutes after an invitation: one short sign-up, the agreement, then two-factor.

Each step is walked with the test client through the real views, adapter and services.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from community.models import Organisation, Profile, User
from tests.factories import OrganisationFactory, make_network, make_user, totp_code

pytestmark = pytest.mark.django_db

EMAIL = "new.chair@trust.nhs.example"
PASSWORD = "a brand new long password 77"


def invite(network, django_capture_on_commit_callbacks, steward):
    from community import services

    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=steward, email=EMAIL, networks=[network])
    (message,) = [m for m in mail.outbox if "invitation" in m.subject.lower()]
    return re.search(r"https?://[^/]+(/invitations/\S+/)", message.body).group(1)


def sign_up(client, path, **fields):
    client.get(path)
    return client.post(
        reverse("account_signup"),
        {
            "email": EMAIL,
            "display_name": "Margaret Ellison",
            "board_role": "chair",
            "organisation": "other",
            "organisation_other": "Fenland Hospice",
            "pronouns": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **fields,
        },
    )


@pytest.fixture
def steward():
    return make_user(display_name="Grace Adeyemi")


def test_sign_up_asks_name_role_organisation_and_pronouns_and_keeps_them(
    client, steward, django_capture_on_commit_callbacks
):
    network = make_network(steward=steward, slug="chairs")
    trust = OrganisationFactory(name="Riverside Mental Health NHS Trust")
    path = invite(network, django_capture_on_commit_callbacks, steward)
    client.get(path)
    page = client.get(reverse("account_signup")).content.decode()
    for label in ("Your name", "Board role", "Organisation", "Pronouns (optional)"):
        assert label in page
    assert "Other (not on the list)" in page and trust.name in page

    response = sign_up(client, path, organisation=str(trust.pk), pronouns="she/her")
    assert response.status_code == 302
    profile = Profile.objects.get(user__email=EMAIL)
    assert (profile.display_name, profile.board_role, profile.organisation, profile.pronouns) == (
        "Margaret Ellison",
        "chair",
        trust,
        "she/her",
    )


def test_an_organisation_not_on_the_list_is_typed_and_never_added_to_the_list(
    client, steward, django_capture_on_commit_callbacks
):
    network = make_network(steward=steward, slug="chairs")
    path = invite(network, django_capture_on_commit_callbacks, steward)
    before = Organisation.objects.count()

    missing = sign_up(client, path, organisation="other", organisation_other="")
    assert missing.status_code == 200
    assert "Type the name of your organisation." in missing.content.decode()
    assert not User.objects.filter(email=EMAIL).exists()

    sign_up(client, path, organisation="other", organisation_other="Fenland Hospice")
    profile = Profile.objects.get(user__email=EMAIL)
    assert profile.organisation is None and profile.organisation_name == "Fenland Hospice"
    assert Organisation.objects.count() == before


def test_after_sign_up_the_agreement_then_two_factor_without_the_password_again(
    client, steward, django_capture_on_commit_callbacks
):
    network = make_network(
        steward=steward, slug="chairs", requires_two_factor=True, agreement="Stays here."
    )
    path = invite(network, django_capture_on_commit_callbacks, steward)
    response = sign_up(client, path)
    assert response["Location"] == reverse("community:welcome")

    # The agreement first, even though the network requires two-factor.
    step = client.get(reverse("community:welcome"))
    assert step["Location"] == reverse("community:agreement", args=[network.slug])
    assert client.get(step["Location"]).status_code == 200
    accepted = client.post(step["Location"])
    assert accepted["Location"] == reverse("community:welcome")

    # Then two-factor set-up, at once: the password typed at sign-up counts as recent.
    step = client.get(reverse("community:welcome"))
    assert step["Location"] == reverse("mfa_activate_totp")
    page = client.get(step["Location"])
    assert page.status_code == 200, page.get("Location")
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', page.content.decode())
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret.group(1))})
    assert activated["Location"] == reverse("mfa_view_recovery_codes")

    # The recovery codes lead on, and the welcome ends in the network.
    codes = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert "I have saved these codes, continue" in codes
    assert 'action="{}"'.format(reverse("community:welcome")) in codes
    step = client.get(reverse("community:welcome"))
    assert step["Location"] == reverse("community:network", args=[network.slug])
    assert client.get(step["Location"]).status_code == 200
    user = User.objects.get(email=EMAIL)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_a_password_sign_in_long_ago_still_asks_again_before_two_factor_set_up(client, steward):
    """Only the sign-up counts as recent; a session without it is asked for the password."""
    client.force_login(steward)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_two_factor_is_offered_once_to_someone_who_need_not_use_it(
    client, steward, django_capture_on_commit_callbacks
):
    network = make_network(steward=steward, slug="learning", agreement="")
    path = invite(network, django_capture_on_commit_callbacks, steward)
    sign_up(client, path)
    step = client.get(reverse("community:welcome"))
    assert step["Location"] == reverse("community:welcome_two_factor")
    offer = client.get(step["Location"]).content.decode()
    assert "Set up two-factor authentication" in offer and "Not now" in offer
    declined = client.post(reverse("community:welcome_two_factor"))
    assert declined["Location"] == reverse("community:welcome")
    step = client.get(reverse("community:welcome"))
    assert step["Location"] == reverse("community:network", args=[network.slug])
    # The welcome is over: agreeing to a later network goes to that network, not back here.
    assert "confide_welcome" not in client.session


def test_a_steward_who_just_signed_in_sets_up_two_factor_without_the_password_again(
    client, steward
):
    from tests.factories import PASSWORD as STEWARD_PASSWORD

    make_network(steward=steward, slug="chairs")
    signed_in = client.post(
        reverse("account_login"), {"login": steward.email, "password": STEWARD_PASSWORD}
    )
    assert signed_in.status_code == 302
    # A steward must enrol before anything else, and is not asked for the password twice.
    home = client.get(reverse("community:dashboard"))
    assert home["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
