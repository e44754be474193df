from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from community import demo


class Command(BaseCommand):
    help = "Fill the site with demo data. Safe to run again: it only adds what is missing."

    def handle(self, *args, **options):
        context = demo.seed()
        for config in apps.get_app_configs():
            if config.name in {"forums", "mentoring", "events", "assurance"}:
                try:
                    seed = import_string(f"{config.name}.demo.seed")
                except ImportError:
                    continue
                seed(context)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if settings.DEBUG:
            self.stdout.write(f"\nDemo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
            for key, name, *_ in demo.PEOPLE[:8]:
                self.stdout.write(f"  {demo.email_for(key):32} {name} ({key})")
            self.stdout.write(
                "The steward, moderator and facilitator set up two-factor authentication "
                "(an authenticator app) when they first sign in."
            )
            self.stdout.write("Open http://127.0.0.1:8000/ and sign in.\n")
