import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from community import demo
from community.mail import ReadableConsoleBackend
from community.middleware import must_enrol
from community.models import Network, User
from tests.factories import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    capsys.readouterr()
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo_runs_twice_and_powerful_people_have_two_factor_already(seeded):
    assert Network.objects.filter(slug__in=["chairs", "learning"]).count() == 2
    people = {key: User.objects.get(email=demo.email_for(key)) for key, *_ in demo.PEOPLE}
    # Set up already, so a newcomer to the demo sees the product, not a set-up wizard.
    for key in ("steward", "moderator", "facilitator"):
        assert not must_enrol(people[key]), key
    assert not must_enrol(people["chair2"])


def test_seed_demo_prints_every_account_by_role_in_under_30_lines(seeded, settings):
    lines = seeded.rstrip("\n").splitlines()
    assert len(lines) < 30
    assert demo.DEMO_PASSWORD in seeded
    assert f"Open {settings.SITE_URL}/" in seeded
    for key, name, *_ in demo.PEOPLE:
        (line,) = [line for line in lines if demo.email_for(key) in line]
        assert name in line
    role_of = {line.split()[0].rstrip(","): line for line in lines if "@" in line}
    for role in ("steward", "moderator", "facilitator", "mentor", "mentee", "member"):
        assert role in role_of, role
    assert "two-factor" in role_of["steward"]
    assert "manage.py demo_code <account>" in seeded


@pytest.mark.django_db(transaction=True)
def test_the_seedings_notification_emails_are_not_sent(settings, capsys):
    # Real commits, so the notices' after-commit e-mails run as in `make demo`.
    settings.DEBUG = True
    call_command("seed_demo")
    assert mail.outbox == []
    assert "Demo data is ready." in capsys.readouterr().out


def test_demo_code_prints_the_current_code_of_the_printed_key(seeded, capsys, settings):
    key = re.search(r"steward\s+key ([A-Z2-7]+)", seeded).group(1)
    call_command("demo_code", "steward")
    assert capsys.readouterr().out.strip() == totp_code(key)
    with pytest.raises(CommandError):
        call_command("demo_code", "chair2")  # no two-factor
    User.objects.create_user(username="real", email="real@trust.nhs.example")
    with pytest.raises(CommandError):
        call_command("demo_code", "real@trust.nhs.example")
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_code", "steward")


def test_console_email_is_plain_utf8_with_links_unbroken():
    link = "http://127.0.0.1:8000/invitations/" + "x" * 60 + "/"
    stream = io.StringIO()
    message = mail.EmailMessage(
        "Your invitation to Confide",
        f"Grace Adeyemi has invited you to join \u201cChairs\u2019 network\u201d.\n\n{link}\n",
        "no-reply@confide.invalid",
        ["chair@trust.nhs.example"],
    )
    ReadableConsoleBackend(stream=stream).send_messages([message])
    text = stream.getvalue()
    assert link in text
    assert "\u201cChairs\u2019 network\u201d" in text
    assert "=E2=80" not in text and "quoted-printable" not in text


def test_the_demo_has_a_case_study_in_each_of_the_ten_areas(seeded):
    from community.models import PracticeArea
    from forums.models import TopicArea

    covered = set(TopicArea.objects.filter(topic__kind="case_study").values_list("area", flat=True))
    assert covered == set(PracticeArea.values)
