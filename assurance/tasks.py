"""Background work for board assurance: close rounds whose date has passed, and tell owners of
overdue milestones (once each). Safe to run every hour."""

from django.tasks import task


@task
def send_assurance_reminders():
    from assurance import services

    return services.run_reminders()
