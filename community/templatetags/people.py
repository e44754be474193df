"""Names in templates come from the one label function (DESIGN.md confidentiality rule 12)."""

from django import template

from community import policies

register = template.Library()


@register.filter
def label_for(person, viewer):
    """`{{ member|label_for:user }}`: the name `viewer` may see for a signed act or a member.

    Anonymous writing is labelled in its view with `anonymous_in`, never by this filter.
    """
    return policies.person_label(viewer, person)
