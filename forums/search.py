"""Search in the forums a member can read: PostgreSQL full text, or LIKE on SQLite.

Only the words of posts are searched, never their authors, so an anonymous post is found by
what it says and never by who wrote it.
"""

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from community.text import plain_excerpt
from forums import policies

LIMIT = 50
START, STOP = "\x02", "\x03"


def _highlight_safely(text):
    """Escape the snippet, then turn our private markers into <mark> tags."""
    return mark_safe(  # noqa: S308
        escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    )


def search_posts(user, query):
    posts = policies.searchable_posts(user).select_related(
        "topic__forum__network", "author__profile"
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

        search_query = SearchQuery(query, config="english", search_type="websearch")
        posts = (
            posts.filter(search_vector=search_query)
            .annotate(
                rank=SearchRank("search_vector", search_query),
                snippet=SearchHeadline(
                    "source",
                    search_query,
                    config="english",
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=30,
                    min_words=10,
                ),
            )
            .order_by("-rank", "-created_at")
        )
        results = list(posts[:LIMIT])
        for post in results:
            post.snippet_html = _highlight_safely(post.snippet)
    else:
        words = query.split()[:8]
        for word in words:
            posts = posts.filter(source__icontains=word)
        results = list(posts.order_by("-created_at")[:LIMIT])
        for post in results:
            post.snippet_html = plain_excerpt(post.source, 200)  # escaped by the template
    for post in results:
        post.author_label = policies.author_label(user, post)
    return results
