from django.urls import path

from forums import views

app_name = "forums"

urlpatterns = [
    path("library/", views.library, name="library"),
    path("search/", views.search_view, name="search"),
    path("networks/<slug:slug>/", views.network_forums, name="network_forums"),
    path("networks/<slug:slug>/moderation/", views.moderation, name="moderation"),
    path("<int:pk>/", views.forum_detail, name="forum"),
    path("<int:pk>/new/", views.topic_create, name="topic_create"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/watch/", views.topic_watch, name="topic_watch"),
    path("topics/<int:pk>/moderate/", views.topic_moderate, name="topic_moderate"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:pk>/react/", views.post_react, name="post_react"),
    path("posts/<int:pk>/flag/", views.post_flag, name="post_flag"),
    path("posts/<int:pk>/hide/", views.post_hide, name="post_hide"),
    path("posts/<int:pk>/reveal/", views.post_reveal, name="post_reveal"),
    path("posts/<int:pk>/revisions/", views.post_revisions, name="post_revisions"),
    path("flags/<int:pk>/", views.flag_handle, name="flag_handle"),
    path("reveals/<int:pk>/", views.reveal_detail, name="reveal"),
]
