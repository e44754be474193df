"""Server-drawn, accessible SVG charts for board results. Each has a title and a description,
unique ids (several charts share a page), and the page puts the same figures in a table."""

from django.utils.html import format_html, format_html_join

ROW = 22
GAP = 10
LABEL_ROW = 24  # each category's label sits on its own line above its bars, never under them
BAR_WIDTH = 440


def _svg(chart_id, title, description, width, height, body):
    return format_html(
        '<svg class="chart chart--assurance" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="{1}" height="{2}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>{5}</svg>',
        chart_id,
        width,
        height,
        title,
        description,
        body,
    )


def grouped_bar_chart(chart_id, *, title, categories, series, top, unit=""):
    """Horizontal bars: for each category one bar per series (None values are skipped).

    `categories`: labels; `series`: [(name, css modifier, [value per category])]; `top`: the
    value of a full-length bar (10 for the 0 to 10 scale, 100 for per cent).
    """
    bars_per_row = len(series)
    block = LABEL_ROW + bars_per_row * ROW + GAP
    legend_height = 24 * len(series) + GAP
    height = legend_height + len(categories) * block
    width = BAR_WIDTH + 70
    parts = []
    for i, (name, modifier, _) in enumerate(series):
        y = GAP + 24 * i
        parts.append(
            format_html(
                '<rect x="0" y="{}" width="16" height="16" class="chart__bar chart__bar--{}">'
                '</rect><text x="24" y="{}" class="chart__label">{}</text>',
                y,
                modifier,
                y + 13,
                name,
            )
        )
    described = []
    for c, label in enumerate(categories):
        y0 = legend_height + c * block
        parts.append(
            format_html(
                '<text x="0" y="{}" class="chart__label chart__label--category">{}</text>',
                y0 + LABEL_ROW * 0.75,
                label,
            )
        )
        values = []
        for s, (name, modifier, numbers) in enumerate(series):
            value = numbers[c]
            if value is None:
                continue
            values.append(f"{name} {value}{unit}")
            y = y0 + LABEL_ROW + s * ROW
            length = max(round(BAR_WIDTH * min(value, top) / top), 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" class="chart__bar '
                    'chart__bar--{}"></rect><text x="{}" y="{}" class="chart__value">{}{}</text>',
                    0,
                    y + 2,
                    length,
                    ROW - 4,
                    modifier,
                    length + 6,
                    y + ROW * 0.7,
                    value,
                    unit,
                )
            )
        described.append(f"{label}: {', '.join(values)}")
    return _svg(
        chart_id,
        title,
        "; ".join(described),
        width,
        height,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def trend_chart(chart_id, *, title, points, top=10):
    """A line over rounds: `points` is [(label, value)], oldest first."""
    width, height, left, bottom, pad = 620, 240, 70, 40, 20
    plot_w, plot_h = width - left - 50, height - bottom - pad
    step = plot_w / max(len(points) - 1, 1)
    coords = [
        (left + (i * step if len(points) > 1 else plot_w / 2), pad + plot_h * (1 - value / top))
        for i, (_, value) in enumerate(points)
    ]
    parts = [
        format_html(
            '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" class="chart__axis"></line>'
            '<line x1="{0}" y1="{2}" x2="{3}" y2="{2}" class="chart__axis"></line>'
            '<text x="0" y="{4}" class="chart__value">{5}</text>'
            '<text x="0" y="{2}" class="chart__value">0</text>',
            left,
            pad,
            pad + plot_h,
            left + plot_w,
            pad + 5,
            top,
        )
    ]
    if len(coords) > 1:
        parts.append(
            format_html(
                '<polyline points="{}" class="chart__line"></polyline>',
                " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
            )
        )
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(
            format_html(
                '<circle cx="{0}" cy="{1}" r="5" class="chart__point"></circle>'
                '<text x="{0}" y="{2}" class="chart__value" text-anchor="middle">{3}</text>'
                '<text x="{0}" y="{4}" class="chart__label" text-anchor="middle">{5}</text>',
                f"{x:.1f}",
                f"{y:.1f}",
                f"{y - 10:.1f}",
                value,
                height - 12,
                label,
            )
        )
    description = "; ".join(f"{label}: {value}" for label, value in points)
    return _svg(
        chart_id,
        title,
        description,
        width,
        height,
        format_html_join("", "{}", ((part,) for part in parts)),
    )
