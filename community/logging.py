"""Structured logs with a request id, and never a message body (CONVENTIONS.md, small habits)."""

import contextvars
import json
import logging
import re
import traceback
import uuid

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import Http404

request_id_var = contextvars.ContextVar("request_id", default="-")
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")
logger = logging.getLogger("confide.security")


class RequestIdMiddleware:
    """Take the proxy's X-Request-ID when it is well-formed, else make one; echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            # Missing and forbidden look the same to the person; the log keeps ids only.
            match = request.resolver_match
            logger.info(
                "not found or not allowed: view=%s user_id=%s",
                match.view_name if match else "-",
                request.user.pk if request.user.is_authenticated else "-",
            )
        return None


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


# Log lines never carry what someone sent (issue 11, finding 7) --------------------------------

WITHHELD = "(withheld)"
TRACEBACK_MARK = "Traceback (most recent call last):"
# A traceback already printed as text (daphne logs some that way): its frames stay, every other
# line at the margin (an exception's "Type: message") keeps only the type.
_CHAIN_LINES = {
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
}
_TYPE = re.compile(r"[A-Za-z_][\w.]*(?=:|$)")


def _redact_traceback_text(text):
    head, mark, rest = text.partition(TRACEBACK_MARK)
    lines = []
    for line in rest.split("\n"):
        if not line or line[0].isspace() or line in _CHAIN_LINES or line == TRACEBACK_MARK:
            lines.append(line)
        else:
            match = _TYPE.match(line)
            lines.append(f"{match.group(0)}: {WITHHELD}" if match else WITHHELD)
    return head + mark + "\n".join(lines)


def redacted_traceback(exc_info):
    """The frames of a traceback (files, lines, functions, source) with every exception's
    message withheld: "Field 'id' expected a number but got 'abc'" quotes what was typed."""
    te = traceback.TracebackException(*exc_info)
    seen = set()
    pending = [te]
    while pending:
        item = pending.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        item._str = WITHHELD  # what format_exception_only prints after the type's name
        item.__notes__ = None
        pending.extend([item.__cause__, item.__context__])
        pending.extend(getattr(item, "exceptions", None) or [])
    return "".join(te.format()).rstrip("\n")


def safe_record(record):
    """A copy of the record fit for the log: Django's request and security lines name the view
    instead of the path or header, exceptions passed as arguments become their type's name, and
    tracebacks lose their messages. The original record is left for other handlers."""
    safe = logging.makeLogRecord(record.__dict__)
    request = getattr(record, "request", None)
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match else "-"
    if record.name in ("django.request", "django.server"):
        safe.msg, safe.args = "%s: view=%s", (getattr(record, "status_code", "-"), view)
    elif record.name.startswith("django.security"):
        safe.msg, safe.args = "refused (%s): view=%s", (record.name.rsplit(".", 1)[-1], view)
    elif isinstance(record.args, tuple):
        safe.args = tuple(
            type(arg).__name__ if isinstance(arg, BaseException) else arg for arg in record.args
        )
    if isinstance(safe.msg, str) and TRACEBACK_MARK in safe.msg:
        safe.msg = _redact_traceback_text(safe.msg)
    if record.exc_info:
        safe.exc_info = None
        safe.exc_text = redacted_traceback(record.exc_info)
    return safe


class SafeFormatter(logging.Formatter):
    """The plain format, through safe_record."""

    def format(self, record):
        return super().format(safe_record(record))


class JsonFormatter(logging.Formatter):
    def format(self, record):
        record = safe_record(record)
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry)


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # The address typed is personal data: log that a sign-in failed, not for whom.
    logger.warning("sign-in failed")
