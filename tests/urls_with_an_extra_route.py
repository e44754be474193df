"""The site's URLs plus one route that nobody added to the access table (tests the sweep)."""

from django.http import HttpResponse
from django.urls import path

from confide.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *site_urlpatterns,
    path("forgotten/", lambda request: HttpResponse("hello"), name="forgotten-page"),
]
