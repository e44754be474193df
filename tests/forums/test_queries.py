"""The forum list, a topic list and a topic page use a fixed number of queries.

The views are called directly, so the count is the page's own work (the site's middleware adds
the same few queries to every page whatever its rows).
"""

import re

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import usercache
from community.models import User
from forums import services, views
from forums.models import Forum
from tests.factories import add_member, make_user

MAX_QUERIES = 12


def grow(space, size):
    people = [add_member(space.network, make_user()) for _ in range(3)]
    for i in range(size // 5):
        services.create_forum(
            actor=None,
            network=space.network,
            name=f"Forum {size}-{i}",
            slug=f"f{size}-{i}",
            allow_anonymous=True,
        )
    for i in range(size):
        space.topic(user=people[i % 3], title=f"Topic {i}", anonymous=i % 2 == 0)
    topic = space.topic(user=space.author, title="Long one", anonymous=True)
    for i in range(size - 1):
        post = services.reply(
            actor=people[i % 3] if i % 4 else space.author,
            topic=topic,
            body=f"Reply {i} @Peter Peer",
            anonymous=i % 2 == 0,
        )
        if i % 5 == 0:
            services.toggle_reaction(actor=space.peer, post=post, kind="thanks")
    services.reveal_author(actor=space.moderator, post=topic.posts.first(), reason="Needed")
    return topic


def request_as(user):
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=user.pk)
    # Read the per-user facts (memberships, stewardship, two-factor) outside the count: every
    # page shares them, cached, and the growth above has just replaced their version.
    usercache.facts(request.user)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def queries(fn, user):
    request = request_as(user)
    with CaptureQueriesContext(connection) as captured:
        response = fn(request)
    return len(captured.captured_queries), response


@pytest.mark.parametrize("viewer", ["peer", "moderator"])
def test_forum_list_topic_list_and_topic_page_use_fixed_queries(space, viewer):
    user = getattr(space, viewer)
    counts = {}
    for size in (5, 50):
        topic = grow(space, size)
        forum_list, html = queries(lambda r: views.network_section(r, space.network), user)
        if viewer == "moderator":
            assert html.count("<li>") == Forum.objects.filter(network=space.network).count()
        topic_list, response = queries(lambda r: views.forum_detail(r, space.forum.pk), user)
        assert response.status_code == 200
        topic_page, response = queries(lambda r, pk=topic.pk: views.topic_detail(r, pk), user)
        assert response.status_code == 200
        assert response.content.count(b'class="card forum-post"') == size
        counts[size] = (forum_list, topic_list, topic_page)
    assert counts[5] == counts[50], counts
    assert max(counts[50]) <= MAX_QUERIES, counts


def test_the_notice_list_costs_the_same_for_3_or_30_notices_and_hides_what_it_should(
    space, client, django_assert_max_num_queries
):
    from django.urls import reverse

    from community.services import notify

    def notices(count):
        for i in range(count):
            forum = space.narrow if i % 3 == 0 else space.forum
            topic = space.topic(user=space.inner, forum=forum, title=f"Notice topic {i}")
            notify(user=space.peer, kind="forum_reply", url="/", target=topic, email=False)
            notify(user=space.peer, kind="forum_reply", url="/", target=topic.posts.first())

    client.force_login(space.peer)
    url = reverse("community:notifications")
    notices(3)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    # Of 6 notices, the narrow forum's topic and post (not the peer's audience) are left out.
    assert len(re.findall(r'href="/notifications/\d+/"', page)) == 4
    notices(27)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert len(re.findall(r'href="/notifications/\d+/"', page)) == 40


def _flat(client, url, grow, django_assert_max_num_queries):
    """The whole page (middleware included) costs no more with 30 rows than with 3."""
    grow(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    few = len(few)  # now: the next request's signal empties the log it reads
    grow(27)
    client.get(url)  # the growth replaced the cached facts' version: one request reads them
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


def test_forum_pages_are_flat_in_forums_topics_and_posts(
    space, client, django_assert_max_num_queries
):
    client.force_login(space.peer)
    topic = space.topic(user=space.author, title="Long one")
    made = {"forums": 0, "posts": 0}

    def grow(count):
        for i in range(count):
            n = made["forums"] = made["forums"] + 1
            services.create_forum(
                actor=None, network=space.network, name=f"Forum {n}", slug=f"grow-{n}"
            )
            space.topic(user=space.author, title=f"Topic {n}")
            services.reply(
                actor=space.peer if i % 2 else space.author,
                topic=topic,
                body=f"Reply {n} with a [link](https://example.org) and\n\n> a quote",
                anonymous=i % 3 == 0,
            )

    for url in (
        reverse("forums:network_forums", args=[space.network.slug]),
        reverse("forums:forum", args=[space.forum.pk]),
        reverse("forums:topic", args=[topic.pk]),
    ):
        _flat(client, url, grow, django_assert_max_num_queries)
