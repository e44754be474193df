from django.db import models
from django.utils.safestring import mark_safe


class SanitisedHTMLField(models.TextField):
    """HTML made from a member's Markdown by community.text, stored beside its source.

    Only community.text writes these columns, so what is loaded is marked safe here, once,
    instead of with `|safe` in every template that shows it.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else mark_safe(value)  # noqa: S308
