"""The export as a page a person can read: the same data as the JSON, laid out as sections.

Built from community.data.export_user_data, so the page and the file can never disagree.
"""

from django.utils.text import capfirst


def _label(key):
    return capfirst(str(key).replace("__", " ").replace("_", " "))


def _value(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def sections(data, prefix=""):
    """[(heading, kind, body)]: kind "fields" (label, value pairs) or "table" (head, rows)."""
    found = []
    fields = []
    for key, value in data.items():
        heading = f"{prefix}{_label(key)}"
        if isinstance(value, dict):
            found += sections(value, prefix=f"{heading}: ")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            head = list(dict.fromkeys(k for row in value for k in row))
            rows = [[_value(row.get(k)) for k in head] for row in value]
            found.append((heading, "table", ([_label(k) for k in head], rows)))
        else:
            fields.append((_label(key), _value(value)))
    if fields:
        found.insert(0, (prefix.rstrip(": ") or "Summary", "fields", fields))
    return found
