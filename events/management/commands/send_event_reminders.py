"""Queue reminders for events starting within 24 hours. Safe to run every hour (or more)."""

from django.core.management.base import BaseCommand

from events import services


class Command(BaseCommand):
    help = "Send content-free reminders to confirmed registrants of events starting within a day."

    def handle(self, *args, **options):
        sent = services.send_due_reminders()
        self.stdout.write(f"Queued {sent} reminder(s).")
