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
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("welcome/", views.welcome, name="welcome"),
    path("welcome/two-factor/", views.welcome_two_factor, name="welcome_two_factor"),
    path("networks/", views.networks, name="networks"),
    path("networks/<slug:slug>/", views.network_home, name="network"),
    path("networks/<slug:slug>/agreement/", views.agreement, name="agreement"),
    path("networks/<slug:slug>/join/", views.network_join, name="network_join"),
    path("networks/<slug:slug>/members/", views.member_directory, name="members"),
    path(
        "networks/<slug:slug>/members/<int:user_id>/", views.member_profile, name="member_profile"
    ),
    path("networks/<slug:slug>/steward/invite/", views.steward_invite, name="steward_invite"),
    path("networks/<slug:slug>/steward/requests/", views.steward_requests, name="steward_requests"),
    path("networks/<slug:slug>/steward/members/", views.steward_members, name="steward_members"),
    path("networks/<slug:slug>/steward/overview/", views.steward_overview, name="steward_overview"),
    path(
        "networks/<slug:slug>/steward/members/<int:user_id>/remove/",
        views.steward_remove,
        name="steward_remove",
    ),
    path("networks/<slug:slug>/steward/edit/", views.steward_edit, name="steward_edit"),
    path("networks/<slug:slug>/steward/audit/", views.steward_audit, name="steward_audit"),
    path("profile/", views.profile_edit, name="profile"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/activity/", views.my_activity, name="my_activity"),
    path("my-data/export/", views.my_data_export, name="my_data_export"),
    path("my-data/summary/", views.my_data_summary, name="my_data_summary"),
    path("my-data/erase/", views.my_data_erase, name="my_data_erase"),
    path("account-erased/", views.erased, name="erased"),
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
    path("assurance/", include("assurance.urls")),
    path("admin/", admin.site.urls),
]

# The site's own error pages, with DEBUG on too (community.errors). A database outage answers
# 503 with a calm page; anything else the 500 page.
handler404 = "community.errors.page_not_found"
handler403 = "community.errors.permission_denied"
handler500 = "community.errors.server_error"
