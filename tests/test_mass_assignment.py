"""Mass assignment: fields a form does not offer are ignored, whatever a request adds (issue 8)."""

import inspect

import pytest
from django import forms as django_forms
from django.urls import reverse
from django.utils.module_loading import import_string

from community.models import Organisation

EXTRA = {
    "author": "1",
    "user": "1",
    "forum": "999",
    "network": "999",
    "is_anonymous": "on",
    "is_staff": "on",
    "is_superuser": "on",
    "capacity": "999",
    "status": "confirmed",
    "email": "attacker@example.org",
    "mentee": "1",
    "active_mentees": "0",
}
PROTECTED_FIELDS = set(EXTRA) - {"email", "capacity", "status"}


def project_forms():
    for module in (
        "community.forms",
        "forums.forms",
        "events.forms",
        "mentoring.forms",
        "assurance.forms",
    ):
        for _, cls in inspect.getmembers(import_string(module), inspect.isclass):
            if issubclass(cls, django_forms.BaseForm) and cls.__module__ == module:
                yield cls


def test_every_model_form_names_its_fields_and_none_of_them_is_an_owner_or_a_role():
    for form in project_forms():
        meta = getattr(form, "_meta", None)
        if meta is None or getattr(meta, "model", None) is None:
            continue
        assert meta.fields not in (None, "__all__"), form
        assert not meta.exclude, form
        assert not PROTECTED_FIELDS & set(meta.fields), form


@pytest.mark.django_db
def test_profile_edit_ignores_staff_flags_and_a_new_e_mail(client, world):
    client.force_login(world.member)
    response = client.post(
        reverse("community:profile"),
        {
            "display_name": "Amara M.",
            "ethnicity_visibility": "only_me",
            "lived_experience_visibility": "only_me",
            "organisation": Organisation.objects.first().pk,
            **EXTRA,
        },
    )
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.profile.display_name == "Amara M."
    assert not world.member.is_staff and not world.member.is_superuser
    assert world.member.email != "attacker@example.org"


@pytest.mark.django_db
def test_a_new_topic_belongs_to_its_writer_and_the_forum_in_its_address(client, world):
    from forums.models import Topic

    client.force_login(world.member)
    response = client.post(
        reverse("forums:topic_create", kwargs={"pk": world.forum.pk}),
        {
            "title": "Our board's first WRES review",
            "body": "Where to begin?",
            "kind": "discussion",
            **EXTRA,
            "author": world.moderator.pk,
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(title="Our board's first WRES review")
    assert topic.author == world.member
    assert topic.forum == world.forum
    assert topic.is_anonymous is False


@pytest.mark.django_db
def test_registering_cannot_change_the_capacity_or_choose_a_status(client, world):
    """An event that needs approval: the request waits for a facilitator whatever is posted."""
    from datetime import timedelta

    from django.utils import timezone

    from events import services as event_services
    from events.models import Registration

    start = timezone.now() + timedelta(days=3)
    event = event_services.create_event(
        actor=world.steward,
        networks=[world.network],
        title="A conversation that needs approval",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=4,
        approval_required=True,
        publish=True,
    )
    client.force_login(world.member)
    response = client.post(reverse("events:register", kwargs={"pk": event.pk}), EXTRA)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 4
    registration = Registration.objects.get(event=event, user=world.member)
    assert EXTRA["status"] == Registration.Status.CONFIRMED
    assert registration.status == Registration.Status.AWAITING_APPROVAL
    assert registration.confirmed_at is None
