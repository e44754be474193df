from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("mine/", views.my_registrations, name="mine"),
    path("new/", views.event_create, name="create"),
    path("network/<slug:slug>/", views.network_events, name="network"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/cancel-registration/", views.cancel_registration, name="cancel_registration"),
    path("<int:pk>/calendar.ics", views.event_calendar, name="calendar"),
    path("<int:pk>/manage/", views.event_manage, name="manage"),
    path("<int:pk>/manage/capacity/", views.change_capacity, name="capacity"),
    path("<int:pk>/manage/attendance/", views.mark_attendance, name="attendance"),
    path("<int:pk>/manage/attendance.csv", views.attendance_csv, name="attendance_csv"),
    path("<int:pk>/manage/requests/<int:registration_pk>/", views.decide, name="decide"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/cancel/", views.cancel_event, name="cancel"),
]
