"""No one's answer can be seen or worked out: not by reading, and not by differencing.

Results change only when a round closes; a closed round never reopens or takes late answers;
peer groups read only other boards' closed results, with the kind and region fixed at close.
"""

import re

import pytest
from django.urls import reverse

from assurance import policies, services
from assurance.models import BoardResult
from community import data as community_data
from tests.assurance.conftest import answers

pytestmark = pytest.mark.django_db


def csv_of(client, user, round_):
    client.force_login(user)
    return client.get(reverse("assurance:csv", args=[round_.pk])).content


def test_nothing_is_shown_while_a_round_is_open_however_many_answered(client, make_board):
    board = make_board(size=6)
    round_ = board.open()
    for member, score in zip(board.members, [1, 2, 3, 9, 10, 10], strict=True):
        board.answer(round_, member, score)
    client.force_login(board.chair)
    page = client.get(reverse("assurance:round", args=[round_.pk])).content.decode()
    assert "<svg" not in page
    assert "%" not in page
    assert client.get(reverse("assurance:csv", args=[round_.pk])).status_code == 404
    assert policies.results_for(board.chair, round_) is None


def test_below_k_the_page_shows_nothing_not_even_a_count_by_area(client, make_board):
    board = make_board(size=6)
    round_ = board.run_round([2, 9, 9, 9], procurement="none")
    client.force_login(board.chair)
    page = client.get(reverse("assurance:round", args=[round_.pk])).content.decode()
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert "Fewer than 5 board members answered" in main
    assert "%" not in main
    assert "<svg" not in main
    assert "Procurement" not in main
    assert not re.search(r"\b4 (of|board members answered)", main)
    assert client.get(reverse("assurance:csv", args=[round_.pk])).status_code == 404
    assert client.get(reverse("assurance:paper", args=[round_.pk])).status_code == 404
    assert client.get(reverse("assurance:plan", args=[round_.pk])).status_code == 404


def test_late_answers_and_a_second_close_cannot_change_a_closed_result(client, make_board):
    """Without this, a sixth answer after close would move the mean by exactly that answer/6."""
    board = make_board(size=6)
    round_ = board.run_round([5, 5, 5, 5, 5])
    before = csv_of(client, board.chair, round_)
    late = board.members[5]
    with pytest.raises(services.AssuranceError):
        services.save_response(actor=late, round_=round_, **answers(10))
    with pytest.raises(services.AssuranceError):
        services.close_round(actor=board.chair, round_=round_)
    with pytest.raises(services.AssuranceError):
        services.close_round(actor=None, round_=round_)
    assert round_.responses.count() == 5
    assert csv_of(client, board.chair, round_) == before


def test_reopening_is_a_new_round_that_needs_its_own_k_answers(client, make_board):
    """ "Reopen" for the one person who missed it: their lone answer yields nothing at all."""
    board = make_board(size=6)
    first = board.run_round([5, 5, 5, 5, 5])
    before = csv_of(client, board.chair, first)
    again = board.open()
    board.answer(again, board.members[5], 10)
    services.close_round(actor=board.chair, round_=again)
    assert not BoardResult.objects.filter(round=again).exists()
    assert csv_of(client, board.chair, first) == before
    assert BoardResult.objects.get(round=first).is_latest


def test_answers_arriving_elsewhere_never_move_anyones_figures(client, make_board):
    boards = [make_board(size=5) for _ in range(6)]
    for board in boards:
        board.run_round([4, 5, 6, 7, 8])
    viewer = boards[0]
    round_ = BoardResult.objects.get(round__organisation=viewer.organisation).round
    before = csv_of(client, viewer.chair, round_)
    busy = boards[1]
    open_round = busy.open()
    for member in busy.members:
        busy.answer(open_round, member, 10, "embedded")
    assert csv_of(client, viewer.chair, round_) == before


def test_a_board_leaving_a_peer_group_cannot_be_differenced_out(client, make_board):
    """Kind and region are fixed in each result at close: a board that changes its kind
    later leaves the group's figures exactly as they were."""
    others = [make_board(size=5, kind="acute") for _ in range(5)]
    for board, score in zip(others, [3, 4, 5, 6, 9], strict=True):
        board.run_round([score] * 5)
    viewer = make_board(size=5, kind="acute")
    round_ = viewer.run_round([5] * 5)
    before = csv_of(client, viewer.chair, round_)
    assert b"Boards of the same kind (Acute trust) (median of 5 boards)" in before
    leaving = others[-1].organisation
    leaving.kind = "community"
    leaving.region = "london"
    leaving.save()
    assert csv_of(client, viewer.chair, round_) == before


def test_a_person_leaving_the_board_leaves_closed_results_as_they_were(client, make_board):
    from community import services as community_services

    board = make_board(size=5)
    round_ = board.run_round([1, 5, 5, 5, 5])
    before = csv_of(client, board.chair, round_)
    community_services.update_profile(actor=board.members[0 + 1], organisation=None)
    community_data.erase_user(actor=board.members[2])
    assert csv_of(client, board.chair, round_) == before


def test_a_group_smaller_than_k_boards_is_never_shown(client, make_board):
    for _ in range(4):
        make_board(size=5, kind="ambulance", region="london").run_round([5] * 5)
    viewer = make_board(size=5, kind="ambulance", region="london")
    round_ = viewer.run_round([6] * 5)
    csv = csv_of(client, viewer.chair, round_).decode()
    assert "median" not in csv  # four other boards: no group at all
    make_board(size=5, kind="ambulance", region="london").run_round([7] * 5)
    csv = csv_of(client, viewer.chair, round_).decode()
    assert "All boards on Confide (median of 5 boards)" in csv


def test_no_one_sees_another_persons_answers_not_even_the_chair(client, make_board):
    board = make_board(size=5)
    round_ = board.open()
    board.answer(round_, board.members[3], 7)
    client.force_login(board.chair)
    page = client.get(reverse("assurance:answer", args=[round_.pk])).content.decode()
    assert "checked" not in page
    assert policies.own_response(board.chair, round_) is None
