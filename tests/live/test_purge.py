"""Chatham House: chat and question text go when the retention period ends; figures remain."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.live import retention, services
from events.live.models import (
    Attendance,
    ChatMessage,
    LiveEvent,
    LiveSession,
    PollOption,
    Question,
)
from tests.live.conftest import LiveWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(db):
    lw = LiveWorld()
    lw.go_live()
    services.join_session(actor=lw.alice, event=lw.event)
    services.leave_session(actor=lw.alice, event=lw.event)
    services.send_chat(actor=lw.alice, event=lw.event, text="What we did on our board")
    services.ask_question(actor=lw.bola, event=lw.event, text="Who saw this?", anonymous=True)
    poll = services.create_poll(
        actor=lw.facilitator, event=lw.event, question="Useful?", kind="single", options=["Y", "N"]
    )
    services.open_poll(actor=lw.facilitator, event=lw.event, poll_id=poll.pk)
    yes = poll.options.first()
    services.vote_in_poll(actor=lw.alice, event=lw.event, poll_id=poll.pk, option_ids=[yes.pk])
    services.change_state(actor=lw.facilitator, event=lw.event, state="ended")
    lw.poll = poll
    return lw


def later(**delta):
    return timezone.now() + timedelta(**delta)


def test_purge_removes_chat_and_question_text_and_keeps_attendance_and_tallies(ended):
    assert retention.purge_expired_chat(now=later(minutes=1)) == 1
    assert ChatMessage.objects.count() == 0
    assert list(Question.objects.values_list("text", "text_html", "author")) == [("", "", None)]
    assert LiveEvent.objects.count() == 0
    assert Attendance.objects.filter(user=ended.alice).exists()
    tallies = dict(PollOption.objects.values_list("label", "final_tally"))
    assert tallies == {"Y": 1, "N": 0}
    assert LiveSession.objects.get().purged_at is not None


def test_purge_waits_for_the_retention_period(ended):
    ended.event.chat_retention = "keep"
    ended.event.chat_retention_days = 7
    ended.event.save()
    assert retention.purge_expired_chat(now=later(days=6)) == 0
    assert ChatMessage.objects.count() == 1
    assert retention.purge_expired_chat(now=later(days=7, minutes=1)) == 1
    assert ChatMessage.objects.count() == 0


def test_purge_leaves_sessions_without_the_chatham_house_rule(ended):
    ended.event.chatham_house = False
    ended.event.save()
    assert retention.purge_expired_chat(now=later(days=30)) == 0
    assert ChatMessage.objects.count() == 1


def test_purge_skips_a_session_still_running(db):
    lw = LiveWorld()
    lw.go_live()
    services.send_chat(actor=lw.alice, event=lw.event, text="still talking")
    assert retention.purge_expired_chat(now=later(minutes=5)) == 0
    assert ChatMessage.objects.count() == 1


def test_the_command_is_safe_to_run_again(ended, capsys):
    call_command("purge_live_chat")
    call_command("purge_live_chat")
    out = capsys.readouterr().out
    assert "Purged the chat of 1 live session(s)." in out
    assert "Purged the chat of 0 live session(s)." in out
    assert ChatMessage.objects.count() == 0
