"""Structured logs with a request id, and never a message body (CONVENTIONS.md, small habits)."""

import contextvars
import json
import logging
import re
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


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # The address typed is personal data: log that a sign-in failed, not for whom.
    logger.warning("sign-in failed")
