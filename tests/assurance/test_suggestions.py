"""Suggestions for the weakest areas come only from what the viewer may see, through the forums,
mentoring and events policies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assurance import questionnaire, selectors
from events import services as event_services
from forums import services as forum_services
from forums.models import TopicKind
from mentoring import services as mentoring_services
from tests.factories import add_member, make_network, make_user

pytestmark = pytest.mark.django_db


def test_suggestions_respect_each_apps_visibility(client, make_board, network):
    board = make_board(size=5)
    round_ = board.run_round([3, 4, 5, 5, 6], retention="none", procurement="none")
    steward = make_user(display_name="Network Steward")
    from community import services as community_services

    community_services.set_steward(actor=None, network=network, user=steward, steward=True)
    closed_net = make_network(slug="closed-net", steward=steward)
    writer = add_member(network, make_user())
    add_member(closed_net, writer)
    open_forum = forum_services.create_forum(actor=None, network=network, name="F", slug="f")
    closed_forum = forum_services.create_forum(actor=None, network=closed_net, name="G", slug="g")
    forum_services.create_topic(
        actor=writer,
        forum=open_forum,
        title="Keeping ethnic minority staff: what worked",
        body="Our case study.",
        kind=TopicKind.CASE_STUDY,
        areas=["hr_processes"],
    )
    forum_services.create_topic(
        actor=writer,
        forum=closed_forum,
        title="Closed-network case study on retention",
        body="Not for outsiders.",
        kind=TopicKind.CASE_STUDY,
        areas=["hr_processes"],
    )
    mentor = add_member(network, make_user(display_name="Mentor With HR Expertise"))
    profile = mentoring_services.save_mentor_profile(
        actor=mentor,
        expertise=["hr_processes"],
        roles_held=["ned"],
        organisation_kinds=[],
        region="",
        formats=[],
        capacity=2,
    )
    mentoring_services.approve_mentor(actor=steward, profile=profile)
    unapproved = add_member(network, make_user(display_name="Mentor Not Approved"))
    mentoring_services.save_mentor_profile(
        actor=unapproved,
        expertise=["hr_processes"],
        roles_held=["ned"],
        organisation_kinds=[],
        region="",
        formats=[],
        capacity=1,
    )
    start = timezone.now() + timedelta(days=10)
    for net, title in [
        (network, "Retention of ethnic minority staff: peer learning"),
        (closed_net, "Closed retention session"),
    ]:
        event = event_services.create_event(
            actor=steward,
            networks=[net],
            title=title,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        event_services.publish_event(actor=steward, event=event)

    client.force_login(board.chair)
    page = client.get(reverse("assurance:plan", args=[round_.pk])).content.decode()
    assert "Keeping ethnic minority staff: what worked" in page
    assert "Mentor With HR Expertise" in page
    assert "Retention of ethnic minority staff: peer learning" in page
    assert "Closed-network case study on retention" not in page
    assert "Closed retention session" not in page
    assert "Mentor Not Approved" not in page


def test_the_weakest_items_are_those_with_least_progress(make_board):
    board = make_board(size=5)
    round_ = board.run_round([5] * 5, "embedded", procurement="none", retention="started")
    weakest = selectors.weakest_items(round_.result, questionnaire.version(1))
    assert [item.code for item in weakest] == ["procurement", "retention"]
