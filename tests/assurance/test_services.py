"""Rounds, answers, the close that fixes results, the plan and its reminders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assurance import services
from assurance.models import BoardResult, Milestone
from community import data as community_data
from community.models import AuditEvent, Notification
from tests.assurance.conftest import answers
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_opening_a_round_tells_every_board_member_without_content(make_board):
    board = make_board(size=6)
    other = make_board(size=5)
    round_ = board.open()
    told = set(
        Notification.objects.filter(kind="assurance_round_opened").values_list("user", flat=True)
    )
    assert told == {m.pk for m in board.members}
    assert not told & {m.pk for m in other.members}
    assert AuditEvent.objects.filter(verb="assurance.round_open", target_id=round_.pk).exists()


def test_opening_a_round_e_mails_board_members_with_no_content(
    make_board, django_capture_on_commit_callbacks
):
    board = make_board(size=5)
    with django_capture_on_commit_callbacks(execute=True):
        board.open()
    assert len(mail.outbox) == 5
    for message in mail.outbox:
        assert board.organisation.name not in message.body
        assert "self-assessment" in message.body


def test_only_the_chair_or_a_steward_on_the_board_opens_a_round(make_board):
    board = make_board(size=5)
    with pytest.raises(services.AssuranceError):
        services.open_round(actor=board.members[1], closes_at=timezone.now() + timedelta(days=3))
    outsider = make_user(board_role="chair")  # chair of another organisation
    round_ = board.open()
    with pytest.raises(services.AssuranceError):
        services.close_round(actor=outsider, round_=round_)


def test_a_member_answers_once_and_may_change_until_close(make_board):
    board = make_board(size=5)
    round_ = board.open()
    first = board.answer(round_, board.members[1], 3)
    again = board.answer(round_, board.members[1], 7)
    assert first.pk == again.pk
    assert round_.responses.count() == 1
    assert round_.responses.get().overall == 7


def test_no_answer_after_the_closing_date_even_before_the_close_runs(make_board):
    from assurance.models import Round

    board = make_board(size=5)
    round_ = board.open()
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    round_.refresh_from_db()
    with pytest.raises(services.AssuranceError):
        board.answer(round_, board.members[1], 5)


def test_incomplete_answers_are_refused(make_board):
    board = make_board(size=5)
    round_ = board.open()
    data = answers(5)
    data["progress"].pop("procurement")
    with pytest.raises(services.AssuranceError):
        services.save_response(actor=board.chair, round_=round_, **data)


def test_close_with_k_answers_stores_rounded_aggregates_once(make_board):
    board = make_board(size=6)
    round_ = board.run_round([6, 7, 8, 9, 10], level="started", procurement="none")
    result = BoardResult.objects.get(round=round_)
    assert result.respondents == 5
    assert result.overall_mean == 8.0
    assert result.share_8_to_10 == 60
    assert result.share_fully_embedded == 20
    assert result.progress["procurement"] == {"progress": 0, "embedded": 0}
    assert result.progress["wellbeing"] == {"progress": 100, "embedded": 0}
    assert result.organisation_kind == board.organisation.kind


def test_close_below_k_stores_no_results(make_board):
    board = make_board(size=6)
    round_ = board.run_round([6, 7, 8, 9])
    assert round_.closed_at is not None
    assert round_.responses_at_close == 4
    assert not BoardResult.objects.filter(round=round_).exists()


def test_k_is_a_setting(make_board, settings):
    settings.ASSURANCE_MIN_RESPONSES = 3
    board = make_board(size=4)
    round_ = board.run_round([5, 5, 5])
    assert BoardResult.objects.filter(round=round_).exists()


def test_due_rounds_close_from_the_reminder_command(make_board):
    from django.core.management import call_command

    board = make_board(size=5)
    round_ = board.open(days=1)
    for member in board.members:
        board.answer(round_, member, 5)
    call_command("assurance_reminders")
    round_.refresh_from_db()
    assert round_.is_open
    services.run_reminders(now=timezone.now() + timedelta(days=2))
    round_.refresh_from_db()
    assert not round_.is_open
    assert BoardResult.objects.filter(round=round_).exists()


def test_a_new_round_makes_the_old_result_no_longer_latest(make_board):
    board = make_board(size=5)
    first = board.run_round([5] * 5)
    second = board.run_round([7] * 5)
    assert not BoardResult.objects.get(round=first).is_latest
    assert BoardResult.objects.get(round=second).is_latest


def _plan(board):
    round_ = board.run_round([4, 5, 6, 7, 8])
    action = services.create_action(
        actor=board.chair,
        round_=round_,
        title="Put race equality into the board assurance framework",
        area="assurance_framework",
        owner=board.members[2],
        milestones=[("Draft the risk entry", timezone.localdate() + timedelta(days=10))],
    )
    return round_, action


def test_actions_are_audited_and_their_owner_is_told(make_board):
    board = make_board(size=5)
    _, action = _plan(board)
    assert Notification.objects.filter(
        user=board.members[2], kind="assurance_action_owner"
    ).exists()
    services.update_action(
        actor=board.members[2], action=action, status="on_track", evidence_note="Drafted."
    )
    verbs = list(
        AuditEvent.objects.filter(target_type="assurance.action", target_id=action.pk)
        .order_by("id")
        .values_list("verb", "actor_id")
    )
    assert verbs == [
        ("assurance.action_create", board.chair.pk),
        ("assurance.action_update", board.members[2].pk),
    ]


def test_an_owner_must_be_on_the_board(make_board):
    board = make_board(size=5)
    other = make_board(size=5)
    round_ = board.run_round([4, 5, 6, 7, 8])
    with pytest.raises(services.AssuranceError):
        services.create_action(
            actor=board.chair, round_=round_, title="X", area="retention", owner=other.chair
        )


def test_a_plain_member_cannot_update_someone_elses_action(make_board):
    board = make_board(size=5)
    _, action = _plan(board)
    with pytest.raises(services.AssuranceError):
        services.update_action(actor=board.members[1], action=action, status="done")


def test_no_plan_from_a_round_without_results(make_board):
    board = make_board(size=6)
    round_ = board.run_round([5, 5])
    with pytest.raises(services.AssuranceError):
        services.create_action(
            actor=board.chair, round_=round_, title="X", area="retention", owner=board.chair
        )


def test_overdue_milestones_notify_their_owner_once_without_content(
    make_board, django_capture_on_commit_callbacks
):
    board = make_board(size=5)
    _, action = _plan(board)
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=12)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_overdue_notices(now=later) == 1
        assert services.send_overdue_notices(now=later) == 0
    notices = Notification.objects.filter(kind="assurance_milestone_overdue")
    assert [n.user_id for n in notices] == [board.members[2].pk]
    assert len(mail.outbox) == 1
    assert "Draft the risk entry" not in mail.outbox[0].body
    assert action.title not in mail.outbox[0].body


def test_done_milestones_are_never_overdue(make_board):
    board = make_board(size=5)
    _, action = _plan(board)
    services.complete_milestone(actor=board.members[2], milestone=action.milestones.get())
    assert services.send_overdue_notices(now=timezone.now() + timedelta(days=30)) == 0
    assert Milestone.objects.get().done_at is not None


def test_export_holds_only_my_own_answers_and_erasure_removes_them(make_board):

    board = make_board(size=5)
    round_ = board.open()
    board.answer(round_, board.members[1], 3)
    board.answer(round_, board.members[2], 9)
    exported = community_data.export_user_data(actor=board.members[1])["assurance"]
    assert [a["overall"] for a in exported["my_answers"]] == [3]
    community_data.erase_user(actor=board.members[1])
    assert list(round_.responses.values_list("overall", flat=True)) == [9]


def test_round_notices_list_for_board_members_and_vanish_when_they_leave(make_board):
    from community import policies as community_policies
    from community import services as community_services
    from community.models import User

    board = make_board(size=5)
    board.open()
    member = User.objects.get(pk=board.members[1].pk)
    kinds = [n.kind for n in community_policies.visible_notifications(member, 20)]
    assert "assurance_round_opened" in kinds
    community_services.update_profile(actor=member, organisation=None)
    member = User.objects.get(pk=member.pk)
    kinds = [n.kind for n in community_policies.visible_notifications(member, 20)]
    assert "assurance_round_opened" not in kinds
