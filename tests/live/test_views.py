"""The live session page: a shell for the room, facilitator controls only for facilitators."""

import pytest
from django.urls import reverse

from events.live import services
from tests.factories import enrol_totp
from tests.live.conftest import LiveWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def plain_lw(db):
    lw = LiveWorld()
    enrol_totp(lw.facilitator)
    enrol_totp(lw.steward)
    return lw


def url(lw):
    return reverse("live:session", kwargs={"event_id": lw.event.pk})


def test_participant_sees_the_room_without_facilitator_controls(plain_lw, client):
    client.force_login(plain_lw.alice)
    response = client.get(url(plain_lw))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-socket="/ws/events/{plain_lw.event.pk}/live/"' in page
    assert "Run the session" not in page and "data-facilitator" not in page
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )


def test_facilitator_sees_the_controls(plain_lw, client):
    client.force_login(plain_lw.facilitator)
    page = client.get(url(plain_lw)).content.decode()
    assert "Run the session" in page and "Create a poll" in page


@pytest.mark.parametrize("who", ["unregistered", "outsider", "steward"])
def test_anyone_else_gets_404(plain_lw, client, who):
    client.force_login(getattr(plain_lw, who))
    assert client.get(url(plain_lw)).status_code == 404


def test_removed_participant_gets_404(plain_lw, client):
    services.remove_participant(
        actor=plain_lw.facilitator, event=plain_lw.event, user_id=plain_lw.bola.pk
    )
    client.force_login(plain_lw.bola)
    assert client.get(url(plain_lw)).status_code == 404


def test_missing_event_gets_404(plain_lw, client):
    client.force_login(plain_lw.facilitator)
    missing = reverse("live:session", kwargs={"event_id": plain_lw.event.pk + 1000})
    assert client.get(missing).status_code == 404
