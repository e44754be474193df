from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self):
        from community import logging  # noqa: F401  (connects the failed sign-in logger)
