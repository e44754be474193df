from django import template

from community.models import BoardRole, PracticeArea
from mentoring.models import Format

register = template.Library()


def _labels(choices):
    names = dict(choices.choices)
    return lambda codes: [str(names[c]) for c in codes or () if c in names]


register.filter("area_labels", _labels(PracticeArea))
register.filter("role_labels", _labels(BoardRole))
register.filter("format_labels", _labels(Format))


@register.filter
def percent(value):
    return round((value or 0) * 100)


@register.filter
def for_steward(reason):
    """Reasons are written to the mentee ("your focus areas"); a steward reads "their"."""
    return reason.replace("your ", "their ")
