"""Every invitation is one the person accepts, and the steward cannot tell who has an account
(issue 11, finding 6)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from community import policies, services
from community.models import AuditEvent, Invitation, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

KNOWN = "known.chair@trust.nhs.example"
UNKNOWN = "new.chair@trust.nhs.example"


def normalised(page, email):
    """The page with the address and the per-response tokens (CSRF, CSP nonce) blanked."""
    page = page.replace(email, "ADDRESS")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)
    return re.sub(r'nonce="[^"]+"', "NONCE", page)


def test_the_steward_sees_the_same_answer_and_page_for_a_known_and_an_unknown_address(
    world, client, django_capture_on_commit_callbacks
):
    existing = make_user(email=KNOWN)
    client.force_login(world.steward)
    url = reverse("community:steward_invite", args=[world.network.slug])
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"emails": KNOWN})
        unknown = client.post(url, {"emails": UNKNOWN})
    assert known.status_code == unknown.status_code == 200
    assert normalised(known.content.decode(), KNOWN) == normalised(
        unknown.content.decode(), UNKNOWN
    )
    assert "Invitation sent." in known.content.decode()
    # Both get the same e-mail; nobody is added yet.
    assert sorted(m.to[0] for m in mail.outbox) == [KNOWN, UNKNOWN]
    assert not policies.is_member(existing, world.network)
    assert Invitation.objects.filter(email=KNOWN, accepted_at__isnull=True).exists()


def invite_existing(world):
    person = make_user(email=KNOWN)
    (result,) = services.invite_many(
        actor=world.steward, emails_text=KNOWN, networks=[world.network]
    )
    assert result[1] and not policies.is_member(person, world.network)
    return person, Invitation.objects.get(email=KNOWN)


def test_an_existing_account_sees_the_invitation_and_joins_only_when_it_accepts(world, client):
    person, invitation = invite_existing(world)
    client.force_login(person)
    dashboard = client.get(reverse("community:dashboard")).content.decode()
    url = reverse("community:invitation", args=[invitation.token])
    assert url in dashboard
    page = client.get(url).content.decode()
    assert world.network.name.replace("'", "&#x27;") in page
    assert 'value="accept"' in page and 'value="decline"' in page
    assert not policies.is_member(person, world.network)
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    assert policies.is_member(User.objects.get(pk=person.pk), world.network)
    assert AuditEvent.objects.filter(verb="invitation.accept", subject_user_id=person.pk).exists()


def test_an_existing_account_can_decline_and_the_link_is_then_spent(world, client):
    person, invitation = invite_existing(world)
    client.force_login(person)
    url = reverse("community:invitation", args=[invitation.token])
    response = client.post(url, {"answer": "decline"})
    assert response.status_code == 302
    assert not policies.is_member(person, world.network)
    assert AuditEvent.objects.filter(verb="invitation.decline", subject_user_id=person.pk).exists()
    assert url not in client.get(reverse("community:dashboard")).content.decode()
    assert "already been used" in client.get(url).content.decode()
    client.post(url, {"answer": "accept"})
    assert not policies.is_member(person, world.network)


def test_a_bad_answer_changes_nothing(world, client):
    person, invitation = invite_existing(world)
    client.force_login(person)
    url = reverse("community:invitation", args=[invitation.token])
    assert client.post(url, {"answer": "yes please"}).status_code == 400
    assert client.post(url, {}).status_code == 400
    assert not policies.is_member(person, world.network)


def test_a_signed_out_existing_account_signs_in_and_comes_back_to_answer(world, client):
    person, invitation = invite_existing(world)
    url = reverse("community:invitation", args=[invitation.token])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"] and invitation.token in response["Location"]
    assert not policies.is_member(person, world.network)
