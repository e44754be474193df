"""The stewards' network overview: counts by month as SVG and table, small numbers hidden."""

from django.urls import reverse

from community.models import AuditEvent
from community.overview import figures
from forums import services
from tests.factories import add_member, enrol_totp, make_network, make_user


def test_the_overview_counts_by_month_and_hides_counts_under_five(db, client):
    steward = make_user(display_name="Grace Steward")
    enrol_totp(steward)
    network = make_network(steward=steward, slug="counted")
    author = add_member(network, make_user(display_name="Ada Author"))
    replier = add_member(network, make_user(display_name="Ray Replier"))
    forum = services.create_forum(actor=None, network=network, name="Talk", slug="talk")
    topic = services.create_topic(actor=author, forum=forum, title="Secret title", body="Secret")
    for _ in range(5):
        services.reply(actor=replier, topic=topic, body="Another secret reply")
    for n in range(5):
        add_member(network, make_user(display_name=f"Newcomer {n}"))
    charts = {c["title"]: c["rows"] for c in figures(network)}
    assert [n for _, n in charts["Replies, by month"]] == [5]
    assert [n for _, n in charts["Topics started, by month"]] == [None]  # one: suppressed
    assert [n for _, n in charts["Active members (who posted), by month"]] == [None]  # two
    joined = AuditEvent.objects.filter(network=network, verb="membership.add").count()
    assert joined == 7
    assert [n for _, n in charts["Members joining, by month"]] == [joined]
    client.force_login(steward)
    page = client.get(reverse("community:steward_overview", args=[network.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "fewer than 5" in html
    assert "Secret" not in html
