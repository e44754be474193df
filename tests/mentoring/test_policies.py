"""Who may do what in mentoring: a table of roles by question."""

import pytest
from django.http import Http404

from mentoring import policies

pytestmark = pytest.mark.django_db

ROLES = ("outsider", "member", "moderator", "steward")

# (question, answers for outsider, member, moderator (the world's mentor), steward)
TABLE = [
    ("use mentoring", policies.is_participant, (False, True, True, True)),
    ("steward mentoring", policies.is_mentoring_steward, (False, False, False, True)),
    ("offer to mentor", policies.can_be_mentor, (False, True, True, True)),
    ("ask for a mentor", policies.can_request_mentor, (False, True, True, True)),
    ("see decline reasons", policies.can_see_decline_reasons, (False, False, False, True)),
]


@pytest.mark.parametrize(("question", "check", "answers"), TABLE, ids=[t[0] for t in TABLE])
def test_policy_table(world, question, check, answers):
    assert tuple(check(world.user(role)) for role in ROLES) == answers


def _sees(fetch, user, pk):
    try:
        fetch(user, pk)
    except Http404:
        return False
    return True


# (object, fetch, answers for outsider, member (mentee), moderator (mentor), steward)
OBJECTS = [
    ("mentor profile", policies.get_mentor_for_viewing, "mentor_profile", (0, 1, 1, 1)),
    ("request", policies.get_request_for_mentee, "mentoring_request", (0, 1, 0, 0)),
    ("proposal", policies.get_proposal_for_mentor, "proposal", (0, 0, 1, 0)),
    ("relationship", policies.get_relationship_for_party, "relationship", (0, 1, 1, 0)),
]


@pytest.mark.parametrize(("name", "fetch", "attr", "answers"), OBJECTS, ids=[o[0] for o in OBJECTS])
def test_who_sees_which_object(world, name, fetch, attr, answers):
    pk = getattr(world, attr).pk
    assert tuple(int(_sees(fetch, world.user(role), pk)) for role in ROLES) == answers


def test_a_missing_object_and_a_forbidden_one_look_the_same(world):
    with pytest.raises(Http404) as missing:
        policies.get_relationship_for_party(world.outsider, 10**9)
    with pytest.raises(Http404) as forbidden:
        policies.get_relationship_for_party(world.outsider, world.relationship.pk)
    assert str(missing.value) == str(forbidden.value)


def test_an_applied_mentor_is_visible_to_stewards_and_themselves_only(world):
    from mentoring import services
    from tests.factories import add_member, make_user

    user = add_member(world.network, make_user())
    profile = services.save_mentor_profile(
        actor=user,
        expertise=[],
        roles_held=[],
        organisation_kinds=[],
        region="",
        formats=[],
        capacity=1,
    )
    assert _sees(policies.get_mentor_for_viewing, user, profile.pk)
    assert _sees(policies.get_mentor_for_viewing, world.steward, profile.pk)
    assert not _sees(policies.get_mentor_for_viewing, world.member, profile.pk)
    assert profile not in policies.visible_mentors(world.member)


def test_notification_targets_are_checked_per_person(world):
    check = policies.can_see_notification_target
    assert check(world.moderator, world.proposal)
    assert check(world.member, world.proposal)
    assert not check(world.steward, world.proposal)
    assert check(world.member, world.relationship)
    assert not check(world.steward, world.relationship)
    assert not check(world.moderator, world.mentoring_request)
