"""My data: the export holds mine and nobody else's; erasure removes what it promises."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from guardian.models import UserObjectPermission

from community import data as community_data
from community import policies, services
from community.models import (
    AuditEvent,
    JoinRequest,
    NetworkUserObjectPermission,
    Notification,
    Profile,
    User,
)
from tests.factories import PASSWORD, add_member, enrol_totp, make_network, make_user

HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]


def reauthenticate(client):
    """Sign in through the form, which records the authentication allauth re-checks."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_export_contains_my_data_and_nobody_elses(world, client):
    services.update_profile(
        actor=world.member,
        ethnicity="Mine: British Bangladeshi",
        lived_experience="Mine: my own story",
        bio="Mine: my bio",
    )
    services.update_profile(
        actor=world.moderator, ethnicity="Theirs: Black British", bio="Theirs: their bio"
    )
    services.request_to_join(actor=world.member, network=world.listed, message="Mine: let me in")
    services.request_to_join(
        actor=world.outsider, network=world.listed, message="Theirs: let me in"
    )
    client.force_login(world.member)
    response = client.get(reverse("community:my_data_export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    response = client.get(reverse("community:my_data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    text = response.content.decode()
    assert data["account"]["email"] == world.member.email
    assert data["profile"]["ethnicity"] == "Mine: British Bangladeshi"
    assert data["profile"]["lived_experience"] == "Mine: my own story"
    assert [n["slug"] for n in data["networks"]] == ["chairs"]
    assert data["join_requests"][0]["message"] == "Mine: let me in"
    assert "Mine: my bio" in text
    assert "Theirs" not in text
    for other in (world.moderator, world.outsider, world.steward):
        assert other.email not in text
        assert other.display_name not in text
    assert AuditEvent.objects.filter(verb="account.export", actor_id=world.member.pk).exists()


@pytest.mark.django_db
def test_erasure_needs_re_authentication_and_the_typed_phrase(world, client):
    client.force_login(world.member)
    response = client.post(reverse("community:my_data_erase"), {"confirmation": "erase my account"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    response = client.post(reverse("community:my_data_erase"), {"confirmation": "yes"})
    assert response.status_code == 200
    world.member.refresh_from_db()
    assert world.member.erased_at is None


@pytest.mark.django_db
def test_erasure_removes_what_it_promises(world, client):
    member = world.member
    steward_network = make_network(steward=member, slug="members-own")
    enrol_totp(member)
    services.request_to_join(actor=member, network=world.listed)
    other_client = Client()
    other_client.force_login(member)
    client.force_login(member)
    reauthenticate(client)
    assert Session.objects.count() >= 2
    response = client.post(reverse("community:my_data_erase"), {"confirmation": "Erase my account"})
    assert response.status_code == 302
    assert response["Location"] == reverse("community:erased")

    erased = User.objects.get(pk=member.pk)
    assert erased.erased_at is not None
    assert erased.email is None
    assert not erased.is_active
    assert not erased.has_usable_password()
    assert erased.display_name == "Former member"
    assert not Profile.objects.filter(user=erased).exists()
    assert not EmailAddress.objects.filter(user=erased).exists()
    assert not Authenticator.objects.filter(user=erased).exists()
    assert not UserSession.objects.filter(user=erased).exists()
    assert not erased.groups.exists()
    assert not NetworkUserObjectPermission.objects.filter(user=erased).exists()
    assert not UserObjectPermission.objects.filter(user=erased).exists()
    assert not Notification.objects.filter(user=erased).exists()
    assert not JoinRequest.objects.filter(user=erased).exists()
    assert not policies.is_steward(erased, steward_network)
    # Every session is gone: the other browser is signed out too.
    assert other_client.get(reverse("community:dashboard"))["Location"].startswith(
        reverse("account_login")
    )
    # The audit log keeps a pseudonymous id, not a person.
    erase_event = AuditEvent.objects.get(verb="account.erase")
    assert erase_event.actor_id == member.pk
    assert member.email not in json.dumps(erase_event.detail)
    assert AuditEvent.objects.filter(subject_user_id=member.pk, verb="membership.add").exists()
    # The old address cannot sign in.
    assert not Client().login(username=member.email, password=PASSWORD)


@pytest.mark.django_db
def test_the_erased_page_is_shown_after_sign_out(client):
    assert client.get(reverse("community:erased")).status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_erasure_closes_open_websockets():
    user = await sync_to_async(make_user)()
    network = await sync_to_async(make_network)(slug="ws-erasure")
    await sync_to_async(add_member)(network, user)
    communicator = await sync_to_async(_with_user)(user)
    connected, _ = await communicator.connect()
    try:
        assert connected
        assert await communicator.receive_json_from(timeout=5) == {"type": "unread", "count": 0}
        await sync_to_async(community_data.erase_user)(actor=user)
        output = await communicator.receive_output(timeout=5)
        assert output["type"] == "websocket.close"
        assert output["code"] == 4403
    finally:
        await communicator.disconnect()


def _with_user(user):
    """The notifications route through the real application, with a signed-in session."""

    from confide.asgi import application

    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return WebsocketCommunicator(
        application, "/ws/notifications/", headers=[*HEADERS, (b"cookie", cookie)]
    )
