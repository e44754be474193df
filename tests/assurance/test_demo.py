import pytest
from django.urls import reverse

from assurance import demo
from assurance.models import BoardResult, Round
from community import demo as community_demo

pytestmark = pytest.mark.django_db


def test_demo_boards_show_charts_and_a_peer_group_at_once(client):
    context = community_demo.seed()
    demo.seed(context)
    counts = (Round.objects.count(), BoardResult.objects.count())
    demo.seed(context)
    assert (Round.objects.count(), BoardResult.objects.count()) == counts
    assert BoardResult.objects.filter(is_latest=True).count() == 6
    chair = context["people"]["chair"]
    latest = BoardResult.objects.get(round__organisation=chair.profile.organisation, is_latest=True)
    client.force_login(chair)
    page = client.get(reverse("assurance:round", args=[latest.round_id])).content.decode()
    assert page.count("<svg") == 3
    assert "All boards on Confide: median of 5 boards" in page
    assert "National reference 2022" in page
