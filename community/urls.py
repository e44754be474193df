"""The site's URLs. Each app owns its own urls.py under a namespace."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from community import views

# The admin signs in through allauth: the same rate limits and second factor as the site.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Confide operations"

app_urls = [
    path("", views.dashboard, name="dashboard"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("networks/<slug:slug>/", views.network_home, name="network"),
    path("networks/<slug:slug>/agreement/", views.agreement, name="agreement"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
]

urlpatterns = [
    path("", include((app_urls, "community"))),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("forums/", include("forums.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("events/", include("events.urls")),
    path("events/", include("events.live.urls")),
    path("admin/", admin.site.urls),
]

# A database outage answers 503 with a calm page; anything else a plain 500 page.
handler500 = "community.outage.server_error"
