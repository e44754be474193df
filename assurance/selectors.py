"""Reads that build board assurance pages: results beside the reference and peer groups, the
trend, the weakest areas and their suggestions, and the CSV. No writes.

Peer groups are read from other boards' `BoardResult` rows (closed rounds only, each board's
newest), in one query, and shown only where a group has at least k boards.
"""

import hashlib
import statistics

from django.core.cache import cache
from django.db.models import Count, Max

from assurance import charts, policies, questionnaire, reference
from assurance.models import BoardResult
from community.models import OrganisationKind, Region


def _quartiles(values):
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def _group(name, rows, item_codes):
    """The distribution of a group of boards, rounded; None when it has fewer than k boards."""
    if len(rows) < policies.min_responses():
        return None
    overall = sorted(row["overall_mean"] for row in rows)
    low, median, high = _quartiles(overall)
    progress = {}
    for code in item_codes:
        values = [row["progress"][code]["progress"] for row in rows if code in row["progress"]]
        if len(values) >= policies.min_responses():
            progress[code] = round(statistics.median(values))
    return {
        "name": name,
        "boards": len(rows),
        "overall_median": round(median, 1),
        "overall_low": round(low, 1),
        "overall_high": round(high, 1),
        "share_8_to_10_median": round(statistics.median(row["share_8_to_10"] for row in rows)),
        "progress": progress,
    }


def peer_groups(result, item_codes):
    """All boards, same organisation kind, same region: other boards' newest closed results.

    Groups change only when some round closes, so they are kept in the cache under a key that
    changes whenever a result is written or removed (the count and the newest id of all
    results): one small query per page instead of reading every other board's result.
    """
    stamp = BoardResult.objects.aggregate(count=Count("pk"), newest=Max("pk"))
    key = "assurance:peers:{}:{}:{}:{}:{}:{}".format(
        result.pk,
        result.closed_at.timestamp(),
        stamp["count"],
        stamp["newest"],
        policies.min_responses(),
        hashlib.sha256(",".join(item_codes).encode()).hexdigest()[:16],
    )
    groups = cache.get(key)
    if groups is None:
        groups = _peer_groups(result, item_codes)
        cache.set(key, groups, 24 * 3600)
    return groups


def _peer_groups(result, item_codes):
    rows = list(
        BoardResult.objects.filter(is_latest=True)
        .exclude(organisation_id=result.organisation_id)
        .values("organisation_kind", "region", "overall_mean", "share_8_to_10", "progress")
    )
    kind_label = OrganisationKind(result.organisation_kind).label
    region_label = Region(result.region).label
    candidates = [
        _group("All boards on Confide", rows, item_codes),
        _group(
            f"Boards of the same kind ({kind_label})",
            [r for r in rows if r["organisation_kind"] == result.organisation_kind],
            item_codes,
        ),
        _group(
            f"Boards in the same region ({region_label})",
            [r for r in rows if r["region"] == result.region],
            item_codes,
        ),
    ]
    return [group for group in candidates if group is not None]


def trend(organisation_id):
    return [
        (r.closed_at.strftime("%b %Y"), r.overall_mean)
        for r in BoardResult.objects.filter(organisation_id=organisation_id)
        .only("closed_at", "overall_mean")
        .order_by("closed_at")
    ]


def weakest_items(result, version, count=2):
    """The board's weakest items: least progress reported, then least embedded."""
    items = [item for item in version.items if item.code in result.progress]
    items.sort(
        key=lambda item: (
            result.progress[item.code]["progress"],
            result.progress[item.code]["embedded"],
        )
    )
    return items[:count]


def results_page(round_, result):
    """Everything the results section shows: tables and the charts drawn from the same rows."""
    version = questionnaire.version(round_.questionnaire_version)
    codes = [item.code for item in version.items]
    groups = peer_groups(result, codes)
    position = [
        ("Your board", result.overall_mean, "board"),
        (f"National reference {reference.YEAR}: all respondents", reference.OVERALL_AVERAGE, "ref"),
        (f"National reference {reference.YEAR}: chairs", reference.OVERALL_AVERAGE_CHAIRS, "ref"),
        *[
            (f"{g['name']}: median of {g['boards']} boards", g["overall_median"], "peer")
            for g in groups
        ],
    ]
    position_chart = charts.grouped_bar_chart(
        "chart-position",
        title="Overall position on the 0 to 10 scale",
        categories=[label for label, _, _ in position],
        series=[("Average or median", "board", [value for _, value, _ in position])],
        top=10,
    )
    first_peer = groups[0] if groups else None
    rows = []
    for group in version.groups:
        for item in group.items:
            rows.append(
                {
                    "group": group.label,
                    "code": item.code,
                    "label": item.label,
                    "board": result.progress[item.code]["progress"],
                    "embedded": result.progress[item.code]["embedded"],
                    "reference": reference.PROGRESS.get(item.code),
                    "peers": [g["progress"].get(item.code) for g in groups],
                }
            )
    series = [
        ("Your board", "board", [row["board"] for row in rows]),
        (f"National reference {reference.YEAR}", "ref", [row["reference"] for row in rows]),
    ]
    if first_peer:
        series.append((f"{first_peer['name']} (median)", "peer", [row["peers"][0] for row in rows]))
    progress_chart = charts.grouped_bar_chart(
        "chart-progress",
        title="Where boards report progress, per cent",
        categories=[row["label"] for row in rows],
        series=series,
        top=100,
        unit="%",
    )
    points = trend(round_.organisation_id)
    trend_chart = charts.trend_chart(
        "chart-trend", title="Your board's overall position, round by round", points=points
    )
    return {
        "version": version,
        "result": result,
        "reference": reference,
        "groups": groups,
        "position": position,
        "position_chart": position_chart,
        "progress_rows": rows,
        "progress_chart": progress_chart,
        "trend": points,
        "trend_chart": trend_chart,
        "weakest": weakest_items(result, version),
        "min_responses": policies.min_responses(),
    }


def suggestions(user, items):
    """For each weak item: case studies, mentors and events the viewer may see."""
    return [
        {
            "item": item,
            "case_studies": list(policies.suggested_case_studies(user, item.practice_area)),
            "mentors": list(
                policies.suggested_mentors(user, item.practice_area).select_related("user__profile")
            ),
            "events": list(policies.suggested_events(user, item.event_words)),
        }
        for item in items
    ]


def csv_rows(round_, page):
    """The aggregates as CSV rows: board, reference and peer medians. No person's answer."""
    groups = page["groups"]
    result = page["result"]
    header = ["measure", "your board", f"national reference {reference.YEAR}"]
    header += [f"{g['name']} (median of {g['boards']} boards)" for g in groups]
    yield header
    yield ["answers", result.respondents, "", *["" for _ in groups]]
    yield [
        "overall position (0 to 10)",
        result.overall_mean,
        reference.OVERALL_AVERAGE,
        *[g["overall_median"] for g in groups],
    ]
    yield [
        "per cent scoring 8 to 10",
        result.share_8_to_10,
        reference.SHARE_8_TO_10,
        *[g["share_8_to_10_median"] for g in groups],
    ]
    yield [
        "per cent fully embedded (10)",
        result.share_fully_embedded,
        reference.SHARE_FULLY_EMBEDDED,
        *["" for _ in groups],
    ]
    for row in page["progress_rows"]:
        yield [
            f"progress reported, per cent: {row['label']}",
            row["board"],
            "" if row["reference"] is None else row["reference"],
            *["" if value is None else value for value in row["peers"]],
        ]
