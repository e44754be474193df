from django.core.management.base import BaseCommand

from mentoring import tasks


class Command(BaseCommand):
    help = (
        "Send mentoring reminders and expire old proposals. Safe to run every hour: each "
        "reminder is sent once and each proposal expires once."
    )

    def handle(self, *args, **options):
        result = tasks.send_mentoring_reminders.enqueue()
        counts = result.return_value if result.is_finished else None
        if counts is None:
            self.stdout.write("Mentoring reminders queued.")
        else:
            self.stdout.write(
                "Mentoring reminders: {expiring} expiring, {expired} expired, "
                "{no_meeting} without a meeting.".format(**counts)
            )
