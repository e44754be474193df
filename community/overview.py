"""A network's overview for its stewards: counts by month from each app, never content.

Each app answers `network_overview(network)` (confide/protocol.py) with (title, rows) of
counts; this module suppresses small numbers (1 to 4, which could single a person out) and
draws each as an accessible SVG chart with the same figures in a table.
"""

from django.db.models.functions import TruncMonth

from confide.protocol import site_apps
from mentoring.charts import bar_chart

SMALL = 5
MONTHS = 12


def by_month(queryset, field="created_at", distinct=None):
    """[(label, count)] per calendar month, oldest first, for the last twelve months with data."""
    from django.db.models import Count

    counted = (
        queryset.annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count(distinct or "pk", distinct=bool(distinct)))
        .order_by("-month")[:MONTHS]
    )
    return [(row["month"].strftime("%b %Y"), row["n"]) for row in reversed(list(counted))]


def suppressed(rows):
    """(label, count or None): None for 1 to 4, shown as "fewer than 5"."""
    return [(label, None if 0 < n < SMALL else n) for label, n in rows]


def figures(network):
    charts = []
    for app in site_apps():
        for title, rows in app.network_overview(network):
            rows = suppressed(rows)
            bars = [(label, n, "") for label, n in rows if n is not None]
            charts.append(
                {
                    "title": title,
                    "rows": rows,
                    "svg": bar_chart(bars, title=title, ident=f"chart-{len(charts) + 1}")
                    if bars
                    else None,
                }
            )
    return charts
