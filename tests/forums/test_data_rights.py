"""Erasure can take what the person wrote with it; the export carries reveals of their posts."""

from django.urls import reverse

from community import data as community_data
from forums import data, services
from forums.models import Post, PostRevision, Topic


def test_erasure_with_the_writing_leaves_posts_removed_by_their_author(space, client):
    topic = space.topic(user=space.author, title="Our chair's surname story", body="Telling")
    reply = services.reply(actor=space.author, topic=topic, body="Identifying detail")
    services.edit_post(actor=space.author, post=reply, body="Still identifying")
    kept = services.reply(actor=space.peer, topic=topic, body="A reply by someone else")
    community_data.erase_user(actor=space.author, remove_writing=True)
    for post in Post.objects.filter(author=space.author):
        assert post.source == "" and str(post.html) == "" and post.deleted_at is not None
    assert not PostRevision.objects.filter(post__author=space.author).exists()
    assert Topic.objects.get(pk=topic.pk).title == "A topic removed by its author"
    assert Post.objects.get(pk=kept.pk).source == "A reply by someone else"
    client.force_login(space.peer)
    page = client.get(reverse("forums:topic", args=[topic.pk])).content.decode()
    assert "This post was removed by its author." in page
    assert "identifying" not in page.lower() and "surname" not in page.lower()


def test_erasure_without_the_writing_keeps_it(space):
    topic = space.topic(user=space.author, title="Kept", body="Kept words")
    community_data.erase_user(actor=space.author)
    assert topic.posts.get().source == "Kept words"


def test_the_export_carries_reveals_of_my_posts_with_the_reason(space):
    topic = space.topic(user=space.author, title="Quiet", body="Anon words", anonymous=True)
    services.reveal_author(
        actor=space.moderator, post=topic.posts.get(), reason="A safeguarding concern."
    )
    exported = data.export_user_data(space.author)
    assert [r["reason"] for r in exported["reveals_of_my_posts"]] == ["A safeguarding concern."]
    assert data.export_user_data(space.peer)["reveals_of_my_posts"] == []


def test_the_html_summary_shows_the_same_data_as_the_json_escaped(space, client):
    from tests.factories import PASSWORD

    topic = space.topic(user=space.author, title="<i>Quiet</i> boards", body="Anon", anonymous=True)
    services.reveal_author(
        actor=space.moderator, post=topic.posts.get(), reason="A safeguarding concern."
    )
    client.force_login(space.author)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("community:my_data_summary"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "A safeguarding concern." in html
    assert "&lt;i&gt;Quiet&lt;/i&gt; boards" in html and "<i>Quiet</i>" not in html
    assert space.author.email in html
