"""Search what a member may read: topic titles, post words, case studies and events.

PostgreSQL full text (ranked, with ts_headline snippets), or LIKE on SQLite, which still finds
words in titles. Every source starts from a policy (forums.policies.searchable_topics and
searchable_posts, which apply the one network gate; events.policies.visible_events), so a
search can never find more than the viewer could open. Only words are searched, never authors,
so an anonymous post is found by what it says and never by who wrote it.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from community.text import plain_excerpt
from events import policies as event_policies
from forums import policies
from forums.models import TopicKind

LIMIT = 50
START, STOP = "\x02", "\x03"
WORD = re.compile(r"[\w'-]+")


def _highlight_safely(text):
    """Escape the snippet, then turn our private markers into <mark> tags."""
    return mark_safe(  # noqa: S308
        escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    )


def _mark_words(text, words):
    """The fallback's highlighting: wrap the searched words in markers, then escape safely."""
    if words:
        pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        text = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)
    return _highlight_safely(text)


def _words(query):
    return WORD.findall(query)[:8]


def _postgres():
    return connection.vendor == "postgresql"


def _full_text(queryset, query, fields, headline_field):
    """Filter and rank by full text on PostgreSQL; each row gets a `snippet` with markers."""
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )

    search_query = SearchQuery(query, config="english", search_type="websearch")
    if fields == ("search_vector",):
        vector = "search_vector"
    else:
        vector = SearchVector(*fields, config="english")
        queryset = queryset.annotate(document=vector)
        vector = "document"
    return (
        queryset.filter(**{vector: search_query})
        .annotate(
            rank=SearchRank(vector, search_query),
            snippet=SearchHeadline(
                headline_field,
                search_query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=10,
            ),
        )
        .order_by("-rank")
    )


def _like(queryset, query, fields):
    """The SQLite fallback: every word somewhere in one of the fields."""
    for word in _words(query):
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def search_posts(user, query):
    """Posts whose words match, newest first on SQLite, ranked on PostgreSQL."""
    posts = policies.searchable_posts(user).select_related(
        "topic__forum__network", "author__profile"
    )
    if _postgres():
        results = list(
            _full_text(posts, query, ("search_vector",), "source").order_by("-rank", "-created_at")[
                :LIMIT
            ]
        )
        for post in results:
            post.snippet_html = _highlight_safely(post.snippet)
    else:
        results = list(_like(posts, query, ("source",)).order_by("-created_at")[:LIMIT])
        for post in results:
            post.snippet_html = _mark_words(plain_excerpt(post.source, 200), _words(query))
    for post in results:
        post.author_label = policies.author_label(user, post)
    return results


@dataclass
class Hit:
    kind: str
    title_html: str
    url: str
    where: str
    snippet_html: str = ""
    byline: str = ""


@dataclass
class Results:
    query: str
    searched: list = field(default_factory=list)
    hits: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)


def _topics(user, query, network, case_studies_only):
    topics = policies.searchable_topics(user).select_related("forum__network", "author__profile")
    if network is not None:
        topics = topics.filter(forum__network=network)
    if case_studies_only:
        topics = topics.filter(kind=TopicKind.CASE_STUDY)
    if _postgres():
        found = list(_full_text(topics, query, ("title",), "title")[:LIMIT])
        titles = {t.pk: _highlight_safely(t.snippet) for t in found}
    else:
        found = list(_like(topics, query, ("title",)).order_by("-last_activity_at")[:LIMIT])
        titles = {t.pk: _mark_words(t.title, _words(query)) for t in found}
    return [
        Hit(
            kind="Case study" if t.kind == TopicKind.CASE_STUDY else "Topic",
            title_html=titles[t.pk],
            url=reverse("forums:topic", args=[t.pk]),
            where=f"{t.forum.name} · {t.forum.network.name}",
            byline=policies.topic_author_label(user, t),
        )
        for t in found
    ]


def _posts(user, query, network, case_studies_only):
    posts = policies.searchable_posts(user).select_related(
        "topic__forum__network", "author__profile"
    )
    if network is not None:
        posts = posts.filter(topic__forum__network=network)
    if case_studies_only:
        posts = posts.filter(topic__kind=TopicKind.CASE_STUDY)
    if _postgres():
        found = list(_full_text(posts, query, ("search_vector",), "source")[:LIMIT])
        snippets = {p.pk: _highlight_safely(p.snippet) for p in found}
    else:
        found = list(_like(posts, query, ("source",)).order_by("-created_at")[:LIMIT])
        snippets = {p.pk: _mark_words(plain_excerpt(p.source, 200), _words(query)) for p in found}
    return [
        Hit(
            kind="Post",
            title_html=escape(p.topic.title),
            url=reverse("forums:post", args=[p.pk]),
            where=f"In '{p.topic.title}' · {p.topic.forum.name} · {p.topic.forum.network.name}",
            snippet_html=snippets[p.pk],
            byline=policies.author_label(user, p),
        )
        for p in found
    ]


def _events(user, query, network):
    events = event_policies.visible_events(user)
    if network is not None:
        events = events.filter(pk__in=network.events.values("pk"))
    if _postgres():
        found = list(_full_text(events, query, ("title", "description"), "description")[:LIMIT])
        snippets = {e.pk: _highlight_safely(e.snippet) for e in found}
    else:
        found = list(_like(events, query, ("title", "description")).order_by("-starts_at")[:LIMIT])
        snippets = {
            e.pk: _mark_words(plain_excerpt(e.description, 200), _words(query)) for e in found
        }
    return [
        Hit(
            kind="Event",
            title_html=_mark_words(e.title, _words(query)),
            url=reverse("events:detail", args=[e.pk]),
            where=f"Event on {e.starts_at:%-d %B %Y}",
            snippet_html=snippets[e.pk],
        )
        for e in found
    ]


def _candidate_titles(user, words):
    """Titles the viewer may see that hold words close to the searched ones."""
    topics = policies.searchable_topics(user)
    events = event_policies.visible_events(user)
    if _postgres():
        from django.contrib.postgres.search import TrigramWordSimilarity

        titles = []
        for word in words:
            for source in (topics, events):
                titles += list(
                    source.annotate(similarity=TrigramWordSimilarity(word, "title"))
                    .filter(similarity__gt=0.3)
                    .order_by("-similarity")
                    .values_list("title", flat=True)[:20]
                )
        return titles
    return list(topics.values_list("title", flat=True)[:500]) + list(
        events.values_list("title", flat=True)[:200]
    )


def suggest(user, query):
    """Close spellings from titles the viewer may see (pg_trgm picks them on PostgreSQL)."""
    words = _words(query)
    if not words:
        return []
    vocabulary = sorted(
        {w.lower() for title in _candidate_titles(user, words) for w in WORD.findall(title)}
    )
    changed = False
    better = []
    for word in words:
        close = difflib.get_close_matches(word.lower(), vocabulary, n=1, cutoff=0.7)
        if close and close[0] != word.lower():
            better.append(close[0])
            changed = True
        else:
            better.append(word)
    return [" ".join(better)] if changed else []


def search(user, query, *, network=None, case_studies_only=False):
    """Everything the viewer may read that matches, with what was searched and suggestions."""
    results = Results(query=query)
    results.searched = ["topic titles", "posts"] + ([] if case_studies_only else ["events"])
    if case_studies_only:
        results.searched = ["case study titles", "case study posts"]
    results.hits = _topics(user, query, network, case_studies_only) + _posts(
        user, query, network, case_studies_only
    )
    if not case_studies_only:
        results.hits += _events(user, query, network)
    if not results.hits:
        results.suggestions = suggest(user, query)
    return results
