"""The site's URLs plus routes that fail on purpose (tests the error pages)."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path

from confide.urls import handler403, handler404, handler500  # noqa: F401
from confide.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


def database_down(request):
    raise OperationalError("connection refused")


urlpatterns = [
    *site_urlpatterns,
    path("boom/", boom),
    path("forbidden/", forbidden),
    path("database-down/", database_down),
]
