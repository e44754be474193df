"""Who may do what, as a table: role by question, expected answer."""

import pytest
from django.http import Http404

from assurance import policies, services
from community.models import BoardRole
from tests.factories import add_member, make_network, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_board, network):
    board = make_board(size=5)
    round_ = board.run_round([4, 5, 6, 7, 8])
    open_board = make_board(size=5)
    steward_net = make_network(slug="stewarded")
    steward_on_board = add_member(
        network,
        make_user(board_role=BoardRole.EXECUTIVE_DIRECTOR, organisation=board.organisation),
    )
    from community import services as community_services

    community_services.set_steward(
        actor=None, network=steward_net, user=steward_on_board, steward=True
    )
    action = services.create_action(
        actor=board.chair, round_=round_, title="T", area="retention", owner=board.members[1]
    )
    no_role = make_user(board_role="", organisation=board.organisation)
    return {
        "board": board,
        "round": round_,
        "action": action,
        "roles": {
            "chair": board.chair,
            "owner": board.members[1],
            "member": board.members[2],
            "steward_on_board": steward_on_board,
            "no_board_role": no_role,
            "other_chair": open_board.chair,
            "other_member": make_user(organisation=open_board.organisation),
        },
    }


TABLE = {
    # role: (sees round, runs rounds, plans, updates action, sees results)
    "chair": (True, True, True, True, True),
    "owner": (True, False, False, True, True),
    "member": (True, False, False, False, True),
    "steward_on_board": (True, True, True, True, True),
    "no_board_role": (False, False, False, False, False),
    "other_chair": (False, False, False, False, False),
    "other_member": (False, False, False, False, False),
}


@pytest.mark.parametrize("role", TABLE)
def test_policy_table(people, role):
    user = people["roles"][role]
    round_ = people["round"]
    try:
        policies.get_round_for_board_member(user, round_.pk)
        sees = True
    except Http404:
        sees = False
    answers = (
        sees,
        policies.can_run_rounds(user, round_.organisation_id),
        policies.can_plan(user, round_),
        policies.can_update_action(user, people["action"]),
        policies.results_for(user, round_) is not None,
    )
    assert answers == TABLE[role]


def test_a_missing_round_and_a_forbidden_one_are_the_same_404(people):
    stranger = people["roles"]["other_chair"]
    with pytest.raises(Http404) as missing:
        policies.get_round_for_board_member(stranger, 10**9)
    with pytest.raises(Http404) as forbidden:
        policies.get_round_for_board_member(stranger, people["round"].pk)
    assert str(missing.value) == str(forbidden.value)


def test_notices_are_shown_only_while_on_the_board(people):
    from community import services as community_services

    member = people["roles"]["member"]
    assert policies.can_see_notification_target(member, people["round"])
    community_services.update_profile(actor=member, organisation=None)
    member._state.fields_cache.pop("profile", None)
    assert not policies.can_see_notification_target(member, people["round"])
