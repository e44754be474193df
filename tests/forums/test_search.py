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
