"""Topics show what is new since the member's last visit and jump to the first unread post."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums import services


def _visit(client, topic, **params):
    return client.get(reverse("forums:topic", args=[topic.pk]), params)


def test_new_posts_since_the_last_visit_are_marked_and_the_page_jumps_to_the_first(space, client):
    topic = space.topic(user=space.author, title="When the board goes quiet", body="First")
    client.force_login(space.peer)
    first_page = _visit(client, topic).content.decode()
    assert "New since your last visit" not in first_page  # a first visit: everything is new
    first_new = services.reply(actor=space.author, topic=topic, body="Second")
    services.reply(actor=space.moderator, topic=topic, body="Third")
    page = _visit(client, topic).content.decode()
    assert "New since your last visit" in page
    assert f"#post-{first_new.pk}" in page
    assert page.count('<span class="tag">New</span>') == 2
    # Read now: nothing is new on the next visit.
    assert "New since your last visit" not in _visit(client, topic).content.decode()
    newer = services.reply(actor=space.author, topic=topic, body="Fourth")
    jump = _visit(client, topic, unread="")
    assert jump.status_code == 302
    assert jump["Location"].endswith(f"#post-{newer.pk}")


def test_finding_the_first_unread_post_costs_the_same_for_few_and_many_posts(space, client):
    def queries_after(new_posts):
        topic = space.topic(user=space.author, title=f"Topic {new_posts}", body="First")
        client.force_login(space.peer)
        _visit(client, topic)
        for n in range(new_posts):
            services.reply(actor=space.author, topic=topic, body=f"Reply {n}")
        with CaptureQueriesContext(connection) as captured:
            assert "New since your last visit" in _visit(client, topic).content.decode()
        return len(captured)

    assert queries_after(2) == queries_after(15)
