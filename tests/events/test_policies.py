import pytest
from django.http import Http404

from events import policies, services
from tests.events.conftest import EventWorld
from tests.factories import make_network, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    world = EventWorld()
    other_steward = make_user(display_name="Other Steward")
    make_network(steward=other_steward, slug="elsewhere")
    registrant = world.member()
    services.register(actor=registrant, event=world.event)
    return {
        "world": world,
        "outsider": world.outsider,
        "member": world.member(),
        "registrant": registrant,
        "facilitator": world.facilitator,
        "steward": world.steward,
        "other_steward": other_steward,
    }


ANSWERS = {
    # role: (view, register, manage, edit, attend live)
    "outsider": (False, False, False, False, False),
    "member": (True, True, False, False, False),
    "registrant": (True, True, False, False, True),
    "facilitator": (True, True, True, False, True),
    "steward": (True, False, True, True, False),
    "other_steward": (False, False, False, False, False),
}


@pytest.mark.parametrize("role", ANSWERS)
def test_policy_table_for_a_published_event_in_a_closed_network(people, role):
    user, event = people[role], people["world"].event
    view, register, manage, edit, attend = ANSWERS[role]
    assert policies.can_view_event(user, event) is view
    assert policies.can_register(user, event) is register
    assert policies.can_manage_event(user, event) is manage
    assert policies.can_edit_event(user, event) is edit
    assert (event in policies.visible_events(user)) is view
    if attend:
        assert policies.get_event_for_attendee(user, event.pk) == event
    else:
        with pytest.raises(Http404):
            policies.get_event_for_attendee(user, event.pk)
    if manage:
        assert policies.get_event_for_facilitator(user, event.pk) == event
    else:
        with pytest.raises(Http404):
            policies.get_event_for_facilitator(user, event.pk)


@pytest.mark.parametrize(
    ("role", "sees"),
    [("member", False), ("facilitator", True), ("steward", True), ("outsider", False)],
)
def test_a_draft_is_seen_only_by_its_stewards_and_facilitators(people, role, sees):
    draft = people["world"].make_event(publish=False)
    assert policies.can_view_event(people[role], draft) is sees
    assert (draft in policies.visible_events(people[role])) is sees


def test_missing_and_forbidden_are_the_same_404(people):
    for getter in (
        policies.get_event_for_viewing,
        policies.get_event_for_attendee,
        policies.get_event_for_facilitator,
        policies.get_event_for_steward,
    ):
        with pytest.raises(Http404):
            getter(people["outsider"], people["world"].event.pk)
        with pytest.raises(Http404):
            getter(people["steward"], 999999)


def test_removed_member_loses_the_event(people):
    from community.services import remove_member

    world = people["world"]
    registrant = people["registrant"]
    remove_member(actor=world.steward, network=world.network, user=registrant)
    assert not policies.can_view_event(registrant, world.event)
    with pytest.raises(Http404):
        policies.get_event_for_attendee(registrant, world.event.pk)


def test_upcoming_lists_only_events_of_my_networks(people):
    world = people["world"]
    assert list(policies.upcoming_events_to_attend(people["member"])) == [world.event]
    assert list(policies.upcoming_events_to_attend(people["outsider"])) == []
    assert list(policies.upcoming_events_to_attend(people["member"], world.network)) == [
        world.event
    ]
