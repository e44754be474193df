from django.urls import path

from mentoring import views

app_name = "mentoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("mentors/", views.directory, name="directory"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor"),
    path("profile/", views.mentor_profile_edit, name="profile"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("relationships/<int:pk>/", views.relationship_detail, name="relationship"),
    path("steward/mentors/", views.steward_mentors, name="steward_mentors"),
    path("steward/requests/", views.steward_requests, name="steward_requests"),
    path("steward/cohort/", views.steward_cohort, name="steward_cohort"),
    path("steward/figures/", views.steward_figures, name="steward_figures"),
]
