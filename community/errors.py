"""The site's 404, 403 and 500 pages, the same with DEBUG on and off.

Django serves its handlers (handler404, handler403, handler500 in confide/urls.py) only when
DEBUG is off; with DEBUG on it shows its technical pages, which tell a newcomer trying the demo
nothing and list every URL pattern. BrandedErrorPagesMiddleware sends DEBUG's errors through
the same handlers, so there is one set of pages. DEBUG_ERROR_PAGES=1 brings the technical
pages back for someone debugging.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseForbidden, HttpResponseNotFound
from django.template.loader import render_to_string
from django.urls import Resolver404
from django.views.decorators.csrf import requires_csrf_token

from community import outage

logger = logging.getLogger("django.request")


def _message(exception):
    """The reason a view gave ("No such network."), never a URL pattern list."""
    reason = exception.args[0] if exception is not None and exception.args else ""
    return reason if isinstance(reason, str) else ""


@requires_csrf_token
def page_not_found(request, exception=None):
    html = render_to_string("404.html", {"message": _message(exception)}, request=request)
    return HttpResponseNotFound(html)


@requires_csrf_token
def permission_denied(request, exception=None):
    html = render_to_string("403.html", {"message": _message(exception)}, request=request)
    return HttpResponseForbidden(html)


server_error = outage.server_error


class BrandedErrorPagesMiddleware:
    """With DEBUG on, answer errors with the site's pages instead of Django's technical ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def active():
        return settings.DEBUG and not getattr(settings, "DEBUG_ERROR_PAGES", False)

    def __call__(self, request):
        response = self.get_response(request)
        # A URL that matches no route never reaches a view (nor process_exception).
        if (
            response.status_code == 404
            and self.active()
            and getattr(request, "resolver_match", None) is None
        ):
            return page_not_found(request, Resolver404())
        return response

    def process_exception(self, request, exception):
        if not self.active():
            return None
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=sys.exc_info(),
            extra={"status_code": 500},
        )
        return server_error(request)
