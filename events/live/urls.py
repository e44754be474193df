from django.urls import path

from events.live import views

app_name = "live"

urlpatterns = [
    path("<int:event_id>/live/", views.session_page, name="session"),
]
