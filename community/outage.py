"""When the database is unreachable, answer 503 with a calm page instead of a 500.

Django's handler500 sees every uncaught exception, wherever it was raised (a view or a
middleware loading the session), so this is the one place that tells the two apart.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token
from psycopg_pool import PoolTimeout

logger = logging.getLogger("confide.outage")
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


@requires_csrf_token
def server_error(request):
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN):
        logger.error("database unavailable: %s", type(exception).__name__)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
