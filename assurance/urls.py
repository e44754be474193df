from django.urls import path

from assurance import views

app_name = "assurance"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/answer/", views.round_answer, name="answer"),
    path("rounds/<int:pk>/questions/", views.round_questions, name="questions"),
    path("rounds/<int:pk>/plan/", views.round_plan, name="plan"),
    path("rounds/<int:pk>/paper/", views.round_paper, name="paper"),
    path("rounds/<int:pk>/results.csv", views.round_csv, name="csv"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("wres/", views.wres, name="wres"),
]
