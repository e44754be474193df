"""Data rights for the forums: a member's own writing out, and their traces removed on erasure."""

from django.db.models.functions import Coalesce
from django.utils import timezone

from forums.models import Flag, Post, PostRevision, Reaction, ReadState, Reveal, Subscription, Topic


def export_user_data(user):
    """The member's own topics and posts, anonymous ones marked as theirs; nobody else's names."""
    from community.policies import nameable_networks

    named = set(nameable_networks(user).values_list("slug", flat=True))
    return {
        "topics": [
            {
                "id": t["pk"],
                "title": t["title"],
                "forum": t["forum__name"],
                # A network the member has left and may no longer see is not named.
                "network": t["forum__network__slug"]
                if t["forum__network__slug"] in named
                else None,
                "anonymous": t["is_anonymous"],
                "kind": t["kind"],
                "created_at": t["created_at"],
            }
            for t in Topic.objects.filter(author=user).values(
                "pk",
                "title",
                "forum__name",
                "forum__network__slug",
                "is_anonymous",
                "kind",
                "created_at",
            )
        ],
        "posts": [
            {
                "id": p["pk"],
                "topic": p["topic_id"],
                "anonymous": p["is_anonymous"],
                "text": p["source"],
                "created_at": p["created_at"],
                "edited_at": p["edited_at"],
                "deleted": p["deleted_at"] is not None,
            }
            for p in Post.objects.filter(author=user).values(
                "pk", "topic_id", "is_anonymous", "source", "created_at", "edited_at", "deleted_at"
            )
        ],
        "reactions": list(Reaction.objects.filter(user=user).values("post_id", "kind")),
        "watching": list(Subscription.objects.filter(user=user).values_list("topic_id", flat=True)),
        # Who learnt an anonymous post's author is the author's to know, with the reason given.
        "reveals_of_my_posts": list(
            Reveal.objects.filter(post__author=user).values("post_id", "reason", "created_at")
        ),
        "flags_raised": list(
            Flag.objects.filter(reporter=user).values("post_id", "reason", "status", "created_at")
        ),
    }


def erase_user_data(user):
    """Posts stay and show "Former member" (the account's display name after erasure)."""
    Subscription.objects.filter(user=user).delete()
    ReadState.objects.filter(user=user).delete()
    Flag.objects.filter(reporter=user).update(reporter=None, detail="")
    # Pseudonyms stay: they keep a topic's conversation readable and name nobody.


def remove_user_writing(user):
    """Erasure with the writing: every post reads "removed by its author", its words and past
    versions gone; topics keep their conversation but lose the title the person wrote."""
    Post.objects.filter(author=user).update(
        source="", html="", search_vector=None, deleted_at=Coalesce("deleted_at", timezone.now())
    )
    PostRevision.objects.filter(post__author=user).delete()
    Topic.objects.filter(author=user).update(title="A topic removed by its author")
