"""The audit log is written and cannot be changed; e-mails never carry protected text."""

import pytest
from django.core import mail
from django.urls import reverse

from community import data as community_data
from community import services
from community.models import AuditEvent, Notification
from tests.factories import add_member, make_network, make_user

pytestmark = pytest.mark.django_db


def verbs():
    return list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))


def test_the_services_write_audit_events_for_every_act(world, django_capture_on_commit_callbacks):
    person = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_member(actor=world.steward, network=world.network, user=person)
        services.set_moderator(
            actor=world.steward, network=world.network, user=person, moderator=True
        )
        services.set_moderator(
            actor=world.steward, network=world.network, user=person, moderator=False
        )
        services.update_agreement(actor=world.steward, network=world.network, text="New rules.")
        services.accept_agreement(actor=person, network=world.network)
        join = services.request_to_join(actor=world.outsider, network=world.listed)
        services.decide_join_request(actor=world.steward, join_request=join, approve=True)
        services.invite(actor=world.steward, email="x@trust.nhs.example", networks=[world.network])
        services.remove_member(actor=world.steward, network=world.network, user=person)
        community_data.export_user_data(actor=person)
    recorded = verbs()
    for verb in (
        "membership.add",
        "moderator.grant",
        "moderator.revoke",
        "network.agreement_update",
        "network.agreement_accept",
        "join_request.create",
        "join_request.approve",
        "invitation.create",
        "membership.remove",
        "account.export",
    ):
        assert verb in recorded, verb
    removal = AuditEvent.objects.get(verb="membership.remove")
    assert removal.actor_id == world.steward.pk
    assert removal.subject_user_id == person.pk
    assert removal.network == world.network


def test_enrolling_totp_is_audited(world):
    from tests.factories import enrol_totp

    person = make_user()
    from allauth.mfa import signals
    from allauth.mfa.models import Authenticator

    enrol_totp(person)
    authenticator = Authenticator.objects.get(user=person)
    signals.authenticator_added.send(
        sender=Authenticator, request=None, user=person, authenticator=authenticator
    )
    assert AuditEvent.objects.filter(verb="mfa.add", subject_user_id=person.pk).exists()


def test_audit_events_cannot_be_changed_or_deleted(world):
    event = AuditEvent.objects.first()
    event.verb = "something.else"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="something.else")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).verb != "something.else"


def test_the_admin_cannot_add_change_or_delete_audit_events(rf):
    from django.contrib import admin

    from community.admin import AuditEventAdmin

    model_admin = AuditEventAdmin(AuditEvent, admin.site)
    request = rf.get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


PROTECTED = [
    "Chairs' race equality network",
    "Chairs&#x27; race equality network",
    "Board race equality learning network",
    "chairs",
    "learning",
    "Grace Steward",
    "Amara Member",
    "Owen Moderator",
    "Priya Outsider",
    "Northfield",
    "British Caribbean",
    "my own lived experience",
    "Please let me in, I lead on race at my trust",
    "Welcome aboard, glad to have you",
    "Our brand new agreement text",
]


def test_notification_emails_carry_no_protected_text(world, django_capture_on_commit_callbacks):
    services.update_profile(
        actor=world.member,
        ethnicity="British Caribbean",
        ethnicity_visibility="networks",
        lived_experience="my own lived experience",
    )
    newcomer = make_user(display_name="Amara Member")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_member(actor=world.steward, network=world.network, user=newcomer)
        services.set_moderator(
            actor=world.steward, network=world.network, user=world.member, moderator=True
        )
        services.update_agreement(
            actor=world.steward, network=world.network, text="Our brand new agreement text"
        )
        join = services.request_to_join(
            actor=world.outsider,
            network=world.listed,
            message="Please let me in, I lead on race at my trust",
        )
        services.decide_join_request(
            actor=world.steward,
            join_request=join,
            approve=False,
            reply="Welcome aboard, glad to have you",
        )
        services.remove_member(actor=world.steward, network=world.network, user=newcomer)
    notices = [m for m in mail.outbox if "invitation" not in m.subject.lower()]
    assert len(notices) >= 5
    for message in notices:
        whole = message.message().as_string()
        for text in (message.subject, message.body, whole):
            for protected in PROTECTED:
                assert protected.lower() not in text.lower(), (protected, message.subject)
        assert "/notifications/" in message.body


def test_a_notice_about_a_network_is_hidden_once_the_person_has_left(world, client):
    notice = services.notify(
        user=world.member,
        kind="role_changed",
        url=reverse("community:network", args=[world.network.slug]),
        target=world.network,
    )
    client.force_login(world.member)
    assert client.get(reverse("community:notification_open", args=[notice.pk])).status_code == 302
    services.remove_member(actor=world.steward, network=world.network, user=world.member)
    assert client.get(reverse("community:notification_open", args=[notice.pk])).status_code == 404
    page = client.get(reverse("community:notifications")).content.decode()
    assert reverse("community:notification_open", args=[notice.pk]) not in page


def test_a_notice_is_not_emailed_once_the_person_has_left(world):
    from community import tasks

    notice = Notification.objects.create(
        user=world.member, kind="role_changed", target=world.network
    )
    services.remove_member(actor=world.steward, network=world.network, user=world.member)
    mail.outbox.clear()
    tasks.send_notification_email.call(notice.pk)
    assert mail.outbox == []


def test_a_notice_about_my_network_is_emailed(world):
    from community import tasks

    notice = Notification.objects.create(
        user=world.member, kind="role_changed", target=world.network
    )
    tasks.send_notification_email.call(notice.pk)
    assert len(mail.outbox) == 1


def test_my_activity_page_shows_events_about_me_only(world, client):
    other = add_member(make_network(slug="other-net"), make_user())
    client.force_login(world.member)
    page = client.get(reverse("community:my_activity"))
    events = page.context["events"]
    assert events
    assert all(world.member.pk in (e.actor_id, e.subject_user_id) for e in events)
    assert other.pk not in {e.subject_user_id for e in events}
