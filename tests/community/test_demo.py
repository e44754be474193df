import pytest
from django.core.management import call_command

from community import demo
from community.middleware import must_enrol
from community.models import Network, User

pytestmark = pytest.mark.django_db


def test_seed_demo_runs_twice_and_powerful_people_must_enrol_two_factor(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Network.objects.filter(slug__in=["chairs", "learning"]).count() == 2
    people = {key: User.objects.get(email=demo.email_for(key)) for key, *_ in demo.PEOPLE}
    assert must_enrol(people["steward"])
    assert must_enrol(people["moderator"])
    assert not must_enrol(people["chair2"])
    assert "two-factor" in capsys.readouterr().out
