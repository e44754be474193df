"""Purge live-session chat and question text whose retention period has ended (Chatham House).

Safe to run hourly: it only touches sessions not purged yet, each in its own transaction.
Attendance, polls and their tallies remain.
"""

from django.core.management.base import BaseCommand

from events.live import retention


class Command(BaseCommand):
    help = "Remove chat and question text from live sessions whose retention period has ended."

    def handle(self, *args, **options):
        purged = retention.purge_expired_chat()
        self.stdout.write(f"Purged the chat of {purged} live session(s).")
