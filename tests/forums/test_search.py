"""Search finds words in forums the member can read; the practice library filters case studies."""

import pytest
from django.urls import reverse

from forums import search, services


def test_search_finds_words_only_in_forums_the_member_can_read(space):
    space.topic(user=space.author, body="Our waiting list by ethnicity", anonymous=True)
    space.topic(user=space.inner, forum=space.narrow, body="Waiting in the inner circle")
    found = search.search_posts(space.peer, "waiting")
    assert [p.source for p in found] == ["Our waiting list by ethnicity"]
    assert found[0].author_label == "Anonymous member 1"
    assert len(search.search_posts(space.inner, "waiting")) == 2
    assert search.search_posts(space.outsider, "waiting") == []


def test_hidden_and_deleted_posts_are_not_found(space):
    topic = space.topic(user=space.author, body="Quarterly figures")
    services.set_post_hidden(
        actor=space.moderator, post=topic.posts.get(), hidden=True, reason="Off topic"
    )
    assert search.search_posts(space.peer, "quarterly") == []


@pytest.mark.postgres
def test_postgres_search_is_ranked_and_highlighted(space, client):
    space.topic(user=space.author, title="One", body="Data data data about recruitment")
    space.topic(user=space.author, title="Two", body="A note on recruitment <b>panels</b>")
    found = search.search_posts(space.peer, "data")
    assert len(found) == 1
    assert "<mark>" in found[0].snippet_html
    client.force_login(space.peer)
    page = client.get(reverse("forums:search"), {"q": "recruitment panels"}).content.decode()
    assert "<mark>panels</mark>" in page or "<mark>recruitment</mark>" in page
    assert "<b>" not in page


def test_library_filters_by_area_and_organisation_kind_and_orders_by_helpful(space, client):
    first = space.topic(
        user=space.author,
        title="Data case",
        kind="case_study",
        areas=["use_of_data"],
        organisation_kind="acute",
    )
    second = space.topic(
        user=space.author,
        title="HR case",
        kind="case_study",
        areas=["hr_processes"],
        organisation_kind="ambulance",
    )
    space.topic(user=space.inner, forum=space.narrow, title="Inner case", kind="case_study")
    space.topic(user=space.author, title="Just talk")
    services.toggle_reaction(actor=space.peer, post=first.posts.get(), kind="helpful")
    client.force_login(space.peer)
    url = reverse("forums:library")
    titles = [t.title for t in client.get(url, {"order": "helpful"}).context["topics"]]
    assert titles == ["Data case", "HR case"]
    titles = [t.title for t in client.get(url).context["topics"]]
    assert titles == ["HR case", "Data case"]
    assert [t.pk for t in client.get(url, {"area": "hr_processes"}).context["topics"]] == [
        second.pk
    ]
    assert [t.pk for t in client.get(url, {"organisation_kind": "acute"}).context["topics"]] == [
        first.pk
    ]


# The site search: titles, posts, case studies and events, scoped by the policies ----------------


def _titles(results):
    return sorted(str(hit.title_html) for hit in results.hits)


def test_search_finds_a_topic_by_a_word_in_its_title_on_either_database(space, client):
    space.topic(user=space.author, title="When the board goes quiet", body="Silence.")
    space.topic(user=space.inner, forum=space.narrow, title="Quiet in the circle", body="Hm.")
    found = search.search(space.peer, "quiet")
    topics = [hit for hit in found.hits if hit.kind == "Topic"]
    assert len(topics) == 1
    assert "<mark>" in str(topics[0].title_html)
    assert "Open talk" in topics[0].where
    assert search.search(space.outsider, "quiet").hits == []
    client.force_login(space.peer)
    page = client.get(reverse("forums:search"), {"q": "quiet"}).content.decode()
    assert "goes <mark>quiet</mark>" in page.lower()
    assert "circle" not in page.lower().split("search results")[-1]


def test_search_filters_by_network_and_case_studies(space):
    from tests.factories import add_member, make_network, make_user

    other = make_network(steward=make_user(), slug="other")
    add_member(other, space.peer)
    other_forum = services.create_forum(actor=None, network=other, name="Other talk", slug="ot")
    space.topic(user=space.author, title="Budget talk")
    space.topic(user=space.author, title="Budget case", kind="case_study")
    space.topic(user=space.peer, forum=other_forum, title="Budget elsewhere")
    everything = search.search(space.peer, "budget")
    assert len([h for h in everything.hits if h.kind != "Post"]) == 3
    mine = search.search(space.peer, "budget", network=space.network)
    assert all("Other talk" not in hit.where for hit in mine.hits)
    cases = search.search(space.peer, "budget", case_studies_only=True)
    assert {h.kind for h in cases.hits} <= {"Case study", "Post"}
    assert [h.kind for h in cases.hits if h.kind != "Post"] == ["Case study"]


def test_search_snippets_escape_what_members_wrote(space):
    space.topic(user=space.author, title="Panels <b>bold</b>", body="<script>x</script> panels")
    found = search.search(space.peer, "panels")
    for hit in found.hits:
        html = str(hit.title_html) + str(hit.snippet_html)
        assert "<b>" not in html and "<script>" not in html


def test_search_finds_events_the_member_may_open_and_not_others(space):
    import datetime

    from django.utils import timezone

    from events import services as event_services

    starts = timezone.now() + datetime.timedelta(days=3)
    event_services.create_event(
        actor=space.steward,
        networks=[space.network],
        title="Governance clinic",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        publish=True,
    )
    assert [h.kind for h in search.search(space.peer, "clinic").hits] == ["Event"]
    assert search.search(space.outsider, "clinic").hits == []


def test_a_search_that_finds_nothing_says_what_was_searched_and_suggests(space, client):
    space.topic(user=space.author, title="Recruitment panels that work")
    space.topic(user=space.inner, forum=space.narrow, title="Secretive succession plans")
    found = search.search(space.peer, "recruitmnet")
    assert found.hits == []
    assert found.suggestions == ["recruitment"]
    # Suggestions come only from titles the viewer may see.
    assert search.search(space.peer, "sucession").suggestions == []
    assert search.search(space.inner, "sucession").suggestions == ["succession"]
    client.force_login(space.peer)
    page = client.get(reverse("forums:search"), {"q": "recruitmnet"}).content.decode()
    assert "Nothing matched" in page and "topic titles, posts, events" in page
    assert "?q=recruitment" in page


@pytest.mark.postgres
def test_postgres_search_highlights_titles_and_posts_and_suggests_by_trigram(space):
    space.topic(
        user=space.author, title="When the board goes quiet", body="Boards that stop asking"
    )
    found = search.search(space.peer, "boards")
    kinds = sorted(h.kind for h in found.hits)
    assert kinds == ["Post", "Topic"]
    for hit in found.hits:
        assert "<mark>" in str(hit.title_html) + str(hit.snippet_html)
    assert search.search(space.peer, "quiett").suggestions == ["quiet"]
    assert search.search(space.outsider, "boards").hits == []
