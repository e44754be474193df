"""Notices in the app name what happened and where, through person_label; re-checked on show."""

from django.urls import reverse

from community import policies as community_policies
from forums import services


def test_a_reply_notice_names_who_replied_and_in_which_topic(space, client):
    topic = space.topic(user=space.author, title="When the board goes quiet", body="Hm")
    services.reply(actor=space.peer, topic=topic, body="We asked the chair.")
    client.force_login(space.author)
    page = client.get(reverse("community:notifications")).content.decode()
    assert "Peter Peer replied in &#x27;When the board goes quiet&#x27;" in page
    dashboard = client.get(reverse("community:dashboard")).content.decode()
    assert "Peter Peer replied in" in dashboard


def test_an_anonymous_reply_notice_never_names_its_author(space, client):
    topic = space.topic(user=space.peer, title="Succession", body="Hm")
    services.reply(actor=space.author, topic=topic, body="Quietly", anonymous=True)
    # As the next request would: a fresh user object, not one whose facts were read before.
    community_policies.forget_cached_permissions(space.peer)
    [notice] = community_policies.visible_notifications(space.peer, 10)
    assert notice.text == "Anonymous member 1 replied in 'Succession'"
    assert "Zadie" not in notice.text
