"""Server-rendered, accessible SVG bar charts: the numbers are also in a table beside them."""

from django.utils.html import format_html, format_html_join

BAR_HEIGHT = 28
GAP = 12
LABEL_WIDTH = 200
BAR_WIDTH = 260


def bar_chart(bars, *, title, ident="chart"):
    """`bars`: (label, value, unit). Returns safe SVG with a title and a description."""
    top = max((value for _, value, _ in bars), default=0) or 1
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 60
    rows = []
    for i, (label, value, unit) in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / top)
        rows.append(
            format_html(
                '<g><text x="0" y="{}" class="chart__label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart__bar"></rect>'
                '<text x="{}" y="{}" class="chart__value">{}{}</text></g>',
                y + BAR_HEIGHT * 0.7,
                label,
                LABEL_WIDTH,
                y,
                max(length, 1),
                BAR_HEIGHT,
                LABEL_WIDTH + max(length, 1) + 6,
                y + BAR_HEIGHT * 0.7,
                value,
                unit,
            )
        )
    description = "; ".join(f"{label}: {value}{unit}" for label, value, unit in bars)
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{}-title {}-desc" '
        'viewBox="0 0 {} {}" width="{}" height="{}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        ident,
        ident,
        width,
        height,
        width,
        height,
        ident,
        title,
        ident,
        description,
        format_html_join("", "{}", ((row,) for row in rows)),
    )
