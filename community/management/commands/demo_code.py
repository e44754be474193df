from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from community import demo


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo only: DEBUG on)."

    def add_arguments(self, parser):
        parser.add_argument("account", help="the demo account: steward, or steward@demo...")

    def handle(self, *args, account, **options):
        # Only the demo's invented accounts, and only in a debug site: never a real member's.
        if not settings.DEBUG:
            raise CommandError("demo_code works only on a demo site (DEBUG on).")
        email = account if "@" in account else demo.email_for(account)
        if not email.endswith("@" + demo.DEMO_DOMAIN):
            raise CommandError(f"{account} is not a demo account.")
        code = demo.current_code(email)
        if code is None:
            raise CommandError(f"{email} has no two-factor authentication set up.")
        self.stdout.write(code)
