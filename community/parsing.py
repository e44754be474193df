"""What people send, read one way everywhere: ids and tokens (issue 11, finding 7).

Views and forms parse through these, so a value that is not what the page sends ("abc", "²",
a NUL, a 23-digit number) answers 400 or a form error, never a 500 whose traceback would carry
the value into the log.
"""

import re

from django import forms
from django.core.exceptions import BadRequest, ValidationError

# The largest id any table here holds (a signed 64-bit primary key).
MAX_ID = 2**63 - 1
# ASCII digits only: "²".isdigit() and "٣".isdigit() are true, but int() refuses the first.
_ID = re.compile(r"[0-9]{1,19}\Z", re.ASCII)
# Invitation tokens are secrets.token_urlsafe(32): 43 characters of this alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}\Z", re.ASCII)


def parse_id(value):
    """A positive id from a string a page sent, or None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _ID.match(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def require_id(value):
    """As parse_id, but a missing or malformed id is a bad request (400)."""
    number = parse_id(value)
    if number is None:
        raise BadRequest("Malformed id.")
    return number


def is_token(value):
    return isinstance(value, str) and bool(_TOKEN.match(value))


class IdField(forms.IntegerField):
    """A hidden or chosen id: ASCII digits within the range of a primary key."""

    default_error_messages = {"invalid": "Choose from the list."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(str(value).strip())
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField whose values are checked as ids before any query.

    Django's own lets a 23-digit value through to an `__in` lookup, which the database refuses.
    The error never repeats the value.
    """

    default_error_messages = {
        "invalid_choice": "Choose from the list.",
        "invalid_pk_value": "Choose from the list.",
    }

    def _check_values(self, value):
        if any(parse_id(str(item)) is None for item in value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super()._check_values(value)
