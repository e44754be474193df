"""Sign-up exists only through a valid invitation; bad links get a clear page, not an error."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from community import policies, services
from community.adapters import INVITATION_SESSION_KEY
from community.models import AuditEvent, Invitation, NetworkRole, User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long password 77"


@pytest.fixture
def invitation(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invite(
            actor=world.steward, email="New.Chair@Trust.nhs.example", networks=[world.network]
        )


def link_from_outbox():
    (message,) = [m for m in mail.outbox if "invitation" in m.subject.lower()]
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def sign_up(client, email="new.chair@trust.nhs.example", **fields):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": "Margaret Ellison",
            "board_role": "chair",
            "organisation": "other",
            "organisation_other": "Northfield Hospitals NHS Foundation Trust",
            "pronouns": "she/her",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **fields,
        },
    )


def test_the_invitation_email_names_the_inviter_and_network_and_nothing_inside_it(
    invitation, world
):
    (message,) = mail.outbox
    assert message.to == ["new.chair@trust.nhs.example"]
    assert invitation.token in message.body
    # The invitee may know who asked them and to which network: they are invited to it.
    assert f"{world.steward.display_name} has invited you" in message.body
    assert f'"{world.network.name}"' in message.body
    assert "confidential" in message.body
    # Nothing else about the network: not its members, not its address.
    whole = message.subject + message.body
    assert world.member.display_name not in whole
    assert world.network.slug not in whole.replace(invitation.token, "").replace(
        world.network.name, ""
    )


def test_an_invited_person_signs_up_with_the_invited_address_and_joins(client, invitation, world):
    path = link_from_outbox().split("127.0.0.1:8000", 1)[-1]
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_signup")
    assert client.session[INVITATION_SESSION_KEY] == invitation.token

    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert 'value="new.chair@trust.nhs.example"' in page.content.decode()
    assert "readonly" in page.content.decode()

    response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(email="new.chair@trust.nhs.example")
    # The invited address counts as verified: no confirmation e-mail, signed in at once.
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert policies.is_member(user, world.network)
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    assert AuditEvent.objects.filter(verb="invitation.accept", subject_user_id=user.pk).exists()
    assert INVITATION_SESSION_KEY not in client.session


def test_an_invitation_as_moderator_makes_a_moderator(
    client, world, django_capture_on_commit_callbacks
):
    invitation = services.invite(
        actor=world.steward,
        email="mod@trust.nhs.example",
        networks=[world.network],
        role=NetworkRole.MODERATOR,
    )
    client.get(reverse("community:invitation", args=[invitation.token]))
    sign_up(client, "mod@trust.nhs.example")
    user = User.objects.get(email="mod@trust.nhs.example")
    assert policies.is_moderator(user, world.network)


def test_the_address_cannot_be_changed_on_the_sign_up_form(client, invitation):
    client.get(reverse("community:invitation", args=[invitation.token]))
    response = sign_up(client, "someone.else@trust.nhs.example")
    assert response.status_code == 200
    assert "different e-mail address" in response.content.decode()
    assert not User.objects.filter(email="someone.else@trust.nhs.example").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_unknown_token_gets_a_clear_page(client):
    response = client.get(reverse("community:invitation", args=["no-such-token"]))
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session


def test_an_expired_invitation_gets_a_clear_page(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=invitation.created_at - timedelta(days=15)
    )
    response = client.get(reverse("community:invitation", args=[invitation.token]))
    assert response.status_code == 200
    assert "expired" in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session


def test_an_invitation_that_expires_during_sign_up_is_refused(client, invitation):
    client.get(reverse("community:invitation", args=[invitation.token]))
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=invitation.created_at - timedelta(days=15)
    )
    sign_up(client)
    assert not User.objects.filter(email="new.chair@trust.nhs.example").exists()


def test_a_used_invitation_gets_a_clear_page(client, invitation):
    client.get(reverse("community:invitation", args=[invitation.token]))
    sign_up(client)
    client.logout()
    response = client.get(reverse("community:invitation", args=[invitation.token]))
    assert response.status_code == 200
    assert "already been used" in response.content.decode()


def test_a_signed_in_person_with_another_address_gets_a_clear_page(client, invitation, world):
    client.force_login(world.outsider)
    response = client.get(reverse("community:invitation", args=[invitation.token]))
    assert response.status_code == 200
    assert "different e-mail address" in response.content.decode()
    assert not policies.is_member(world.outsider, world.network)


def test_a_signed_in_person_with_the_invited_address_joins_only_on_accepting(client, world):
    person = make_user(email="already@trust.nhs.example")
    invitation = services.invite(
        actor=world.steward, email="already@trust.nhs.example", networks=[world.network]
    )
    client.force_login(person)
    url = reverse("community:invitation", args=[invitation.token])
    response = client.get(url)
    assert response.status_code == 200
    assert not policies.is_member(person, world.network)
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    assert policies.is_member(User.objects.get(pk=person.pk), world.network)


def test_sign_up_is_closed_without_an_invitation(client):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert 'name="password1"' not in page.content.decode()
    assert "by invitation only" in page.content.decode()
    sign_up(client, "walk.in@trust.nhs.example")
    assert not User.objects.filter(email="walk.in@trust.nhs.example").exists()


def test_an_invitation_token_is_random_and_long(world):
    tokens = {
        services.invite(actor=world.steward, email=f"p{i}@x.example", networks=[]).token
        for i in range(5)
    }
    assert len(tokens) == 5
    assert all(len(token) >= 40 for token in tokens)


def test_inviting_many_reports_each_address(world, django_capture_on_commit_callbacks):
    existing = make_user(email="known@trust.nhs.example", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        results = services.invite_many(
            actor=world.steward,
            emails_text="a@trust.nhs.example, not-an-address\nknown@trust.nhs.example",
            networks=[world.network],
        )
    assert [(email, ok) for email, ok, _ in results] == [
        ("a@trust.nhs.example", True),
        ("not-an-address", False),
        ("known@trust.nhs.example", True),
    ]
    # The existing account is invited like anyone else (it joins only if it accepts).
    assert len({message for _, ok, message in results if ok}) == 1
    assert not policies.is_member(existing, world.network)
    assert [m.to for m in mail.outbox if "invitation" in m.subject.lower()] == [
        ["a@trust.nhs.example"],
        ["known@trust.nhs.example"],
    ]


def test_two_invited_people_both_sign_up(client, world):
    for email in ("first@trust.nhs.example", "second@trust.nhs.example"):
        invitation = services.invite(actor=world.steward, email=email, networks=[world.network])
        client.logout()
        client.get(reverse("community:invitation", args=[invitation.token]))
        assert sign_up(client, email).status_code == 302
    assert (
        User.objects.filter(
            email__endswith="@trust.nhs.example", username__startswith="member-"
        ).count()
        == 2
    )
