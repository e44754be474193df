from django.core.management.base import BaseCommand

from assurance import tasks


class Command(BaseCommand):
    help = (
        "Close board self-assessment rounds whose closing date has passed and tell the owners "
        "of overdue milestones (content-free). Safe to run every hour: each happens once."
    )

    def handle(self, *args, **options):
        result = tasks.send_assurance_reminders.enqueue()
        counts = result.return_value if result.is_finished else None
        if counts is None:
            self.stdout.write("Board assurance reminders queued.")
        else:
            self.stdout.write(
                "Board assurance: {closed} round(s) closed, {overdue} overdue milestone "
                "notice(s).".format(**counts)
            )
