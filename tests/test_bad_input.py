"""Malformed ids and tokens answer 400 or a form error, never a 500, and the log never carries
them (issue 11, finding 7).

Values a page never sends: letters, superscript and other non-ASCII digits (which str.isdigit
accepts and int() may refuse), a NUL (which PostgreSQL refuses in a string), fractions, and
numbers past a primary key's range.
"""

import io
import json
import logging
import sys
from datetime import timedelta

import pytest
from django.core.handlers.exception import response_for_exception
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.logging import JsonFormatter, SafeFormatter
from community.parsing import parse_id
from mentoring.models import Goal, Proposal
from tests.mentoring.conftest import People

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "²", "٣", "nul\x00byte", "1.5", "-1", "0", "99999999999999999999999", " "]
SECRET = "typed-by-someone-7f3a"


def client_for(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"mentoring:{name}", args=args)


@pytest.fixture
def people(db):
    return People()


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_malformed_mentor_id_on_the_request_page_answers_400(people, value):
    mentee = people.member()
    people.mentor()
    request = people.request(mentee)
    response = client_for(mentee).post(url("request", request.pk), {"mentor": value})
    assert response.status_code == 400
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_malformed_mentor_id_on_the_stewards_approval_page_answers_400(people, value):
    profile = people.mentor(approve=False)
    response = client_for(people.steward).post(url("steward_mentors"), {"mentor": value})
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.status != "approved"


@pytest.mark.parametrize("value", ["²", "abc", "nul\x00byte", "99999999999999999999999"])
def test_malformed_pairs_on_the_cohort_page_are_a_form_error(people, value):
    mentee = people.member()
    profile = people.mentor()
    request = people.request(mentee)
    client = client_for(people.steward)
    preview = {"mode": "best_total", "min_score": "0"}
    for params in (
        {**preview, f"fix_{request.pk}": value},
        {**preview, f"fix_{value}": str(profile.user_id)},
    ):
        response = client.get(url("steward_cohort"), params)
        assert response.status_code == 400
        assert "could not be read" in response.content.decode()
    response = client.post(url("steward_cohort"), {**preview, "fixed": f"{request.pk}:{value}"})
    assert response.status_code == 400
    assert not Proposal.objects.exists()
    # The page's own choice still works.
    ok = client.get(url("steward_cohort"), {**preview, f"fix_{request.pk}": profile.user_id})
    assert ok.status_code == 200


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_malformed_goal_id_is_a_form_error(people, value):
    relationship = people.relationship()
    client = client_for(relationship.mentee)
    client.post(
        url("relationship", relationship.pk), {"action": "goal", "goal-text": "Fair recruitment."}
    )
    goal = Goal.objects.get()
    response = client.post(
        url("relationship", relationship.pk),
        {"action": "progress", "goal": value, "progress": "50"},
    )
    assert response.status_code < 500
    goal.refresh_from_db()
    assert goal.progress == 0


def test_an_invitation_token_with_a_nul_or_odd_characters_gets_the_clear_page(client):
    for token in ["abc%00def", "%00", "a" * 65, "sp%20ace", "%C2%B2"]:
        response = client.get(f"/invitations/{token}/")
        assert response.status_code == 200, token
        assert "not valid" in response.content.decode()


def test_a_23_digit_choice_in_a_multiple_choice_field_is_a_form_error(people):
    mentee = people.member()
    response = client_for(mentee).post(
        url("request_create"),
        {"goals": "Fair recruitment.", "focus_1": "use_of_data", "excluded_users": "9" * 23},
    )
    assert response.status_code == 200
    assert "Choose from the list." in response.content.decode()
    start = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(people.steward).post(
        reverse("events:create"),
        {
            "title": "A learning session",
            "networks": "9" * 23,
            "facilitators": "9" * 23,
            "starts_at": start,
            "ends_at": start,
            "capacity": "10",
        },
    )
    assert response.status_code == 200
    assert "Choose from the list." in response.content.decode()


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=st.text(max_size=30) | st.integers().map(str) | st.sampled_from(BAD_IDS))
def test_parse_id_accepts_exactly_the_ids_a_page_sends(value):
    is_id = value.isascii() and value.isdecimal() and len(value) <= 19 and 0 < int(value) < 2**63
    assert parse_id(value) == (int(value) if is_id else None)


# The log ------------------------------------------------------------------------------------


def failing_request(rf):
    """A 500 through Django's own handler, whose exception quotes what someone typed."""
    request = rf.post("/mentoring/requests/1/", {"mentor": SECRET})
    try:
        raise ValueError(f"Field 'id' expected a number but got '{SECRET}'.")
    except ValueError as error:
        return response_for_exception(request, error)


def console_output(action):
    """What the configured console handler writes while `action` runs."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        action()
    finally:
        handler.setStream(previous)
    return stream.getvalue()


def test_a_500s_log_lines_name_the_error_but_not_what_was_typed(rf):
    text = console_output(lambda: failing_request(rf))
    assert "ValueError" in text and "Traceback" in text
    assert SECRET not in text
    assert "/mentoring/requests/1/" not in text


@pytest.mark.parametrize("formatter", [SafeFormatter("%(message)s"), JsonFormatter()])
def test_both_log_formats_withhold_exception_messages_and_printed_tracebacks(formatter):
    try:
        try:
            int(SECRET)
        except ValueError as inner:
            raise KeyError(SECRET) from inner
    except KeyError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "confide", logging.ERROR, __file__, 1, "failed: %s", (exc_info[1],), exc_info
    )
    text = formatter.format(record)
    assert SECRET not in text
    assert "KeyError" in text and "ValueError" in text
    if isinstance(formatter, JsonFormatter):
        assert "exception" in json.loads(text)
    printed = (
        'Traceback (most recent call last):\n  File "x.py", line 1, in f\nValueError: ' + SECRET
    )
    record = logging.LogRecord(
        "daphne.http_protocol", logging.ERROR, __file__, 1, printed, (), None
    )
    assert SECRET not in formatter.format(record)


def test_a_failed_sign_in_logs_neither_the_address_nor_the_password(client):
    text = console_output(
        lambda: client.post(
            reverse("account_login"), {"login": f"{SECRET}@trust.nhs.example", "password": SECRET}
        )
    )
    assert "sign-in failed" in text
    assert SECRET not in text
