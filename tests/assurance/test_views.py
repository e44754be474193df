"""The pages, walked with the test client as board members and others."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assurance import services
from assurance.models import Action, Round
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_chair_opens_a_round_from_the_page(client, make_board):
    board = make_board(size=5)
    client.force_login(board.chair)
    page = client.get(reverse("assurance:home"))
    assert b"Open a round" in page.content
    closes = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = client.post(reverse("assurance:round_create"), {"closes_on": closes})
    round_ = Round.objects.get()
    assert response["Location"] == reverse("assurance:round", args=[round_.pk])


def test_a_member_answers_from_the_page_and_sees_their_own_answers_only(client, make_board):
    board = make_board(size=5)
    round_ = board.open()
    client.force_login(board.members[1])
    form = {"overall": "4"}
    from assurance import questionnaire

    for item in questionnaire.version(1).items:
        form[f"progress_{item.code}"] = "progressing"
    response = client.post(reverse("assurance:answer", args=[round_.pk]), form)
    assert response.status_code == 302
    assert round_.responses.get(user=board.members[1]).overall == 4
    page = client.get(reverse("assurance:answer", args=[round_.pk]))
    assert b'value="4" class="scale" required id="id_overall_4" checked' in page.content
    client.force_login(board.chair)
    page = client.get(reverse("assurance:answer", args=[round_.pk]))
    assert b"checked" not in page.content
    page = client.get(reverse("assurance:round", args=[round_.pk]))
    assert b"1 of 5 board members have answered" in page.content


def test_results_page_shows_charts_tables_reference_and_a_peer_group(client, make_board):
    for _ in range(5):
        make_board(size=5).run_round([5, 6, 6, 7, 5])
    board = make_board(size=5)
    round_ = board.run_round([6, 7, 8, 9, 10], procurement="none", retention="none")
    client.force_login(board.members[3])
    page = client.get(reverse("assurance:round", args=[round_.pk])).content.decode()
    assert page.count("<svg") == 3
    assert "National reference 2022: all respondents" in page
    assert "All boards on Confide: median of 5 boards" in page
    assert "Boards of the same kind" in page
    assert "8.0" in page
    csv = client.get(reverse("assurance:csv", args=[round_.pk])).content.decode()
    assert "overall position (0 to 10),8.0,5.6,5.8,5.8,5.8" in csv.replace("\r", "")
    paper = client.get(reverse("assurance:paper", args=[round_.pk]))
    assert paper.status_code == 200
    assert b"Board paper" in paper.content


def test_the_chair_turns_weak_areas_into_actions_with_suggestions(client, make_board):
    board = make_board(size=5)
    round_ = board.run_round([3, 4, 5, 5, 6], procurement="none", retention="none")
    client.force_login(board.chair)
    page = client.get(reverse("assurance:plan", args=[round_.pk])).content.decode()
    assert "Help with your weakest areas" in page
    assert "Retention of ethnic minority staff" in page
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        reverse("assurance:plan", args=[round_.pk]),
        {
            "title": "Exit interviews by ethnicity",
            "area": "retention",
            "owner": str(board.members[1].pk),
            "milestone_1": "First report to the board",
            "due_1": due,
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.owner == board.members[1]
    client.force_login(board.members[1])
    response = client.post(
        reverse("assurance:action", args=[action.pk]),
        {"form": "update", "status": "at_risk", "owner": str(board.members[1].pk)},
    )
    assert response.status_code == 302
    page = client.get(reverse("assurance:action", args=[action.pk])).content.decode()
    assert "At risk" in page
    assert "recorded progress" in page


def test_a_plain_member_cannot_post_an_action(client, make_board):
    board = make_board(size=5)
    round_ = board.run_round([3, 4, 5, 5, 6])
    client.force_login(board.members[1])
    response = client.post(reverse("assurance:plan", args=[round_.pk]), {"title": "x"})
    assert response.status_code == 404


def test_a_member_of_another_trust_gets_404_everywhere(client, make_board):
    board = make_board(size=5)
    round_ = board.run_round([3, 4, 5, 5, 6])
    action = services.create_action(
        actor=board.chair, round_=round_, title="X", area="retention", owner=board.chair
    )
    stranger = make_board(size=5).chair
    client.force_login(stranger)
    for name, pk in [
        ("assurance:round", round_.pk),
        ("assurance:answer", round_.pk),
        ("assurance:questions", round_.pk),
        ("assurance:plan", round_.pk),
        ("assurance:paper", round_.pk),
        ("assurance:csv", round_.pk),
        ("assurance:action", action.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
        assert client.post(reverse(name, args=[pk])).status_code == 404, name


def test_someone_without_a_board_is_told_how_to_join_one(client, db):
    client.force_login(make_user(board_role=""))
    page = client.get(reverse("assurance:home"))
    assert b"add your organisation and board role" in page.content
    assert client.get(reverse("assurance:wres")).status_code == 404


def test_wres_figures_are_kept_per_year(client, make_board):
    board = make_board(size=5)
    client.force_login(board.members[2])
    year = timezone.localdate().year
    client.post(reverse("assurance:wres"), {"year": str(year), "shortlisting": "1.61"})
    page = client.get(reverse("assurance:wres")).content.decode()
    assert "1.61" in page
    client.force_login(make_board(size=5).chair)
    assert "1.61" not in client.get(reverse("assurance:wres")).content.decode()


def test_answers_belong_to_their_giver_whatever_the_request_adds(client, make_board):
    from assurance import questionnaire

    board = make_board(size=5)
    round_ = board.open()
    client.force_login(board.members[1])
    form = {"overall": "6", "user": str(board.chair.pk), "round": "999"}
    for item in questionnaire.version(1).items:
        form[f"progress_{item.code}"] = "started"
    assert client.post(reverse("assurance:answer", args=[round_.pk]), form).status_code == 302
    assert list(round_.responses.values_list("user", flat=True)) == [board.members[1].pk]
