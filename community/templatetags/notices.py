from django import template

from community import notices

register = template.Library()


@register.filter
def notice_sentence(kind):
    return notices.sentence(kind)
