"""Background work for mentoring: reminders and expiries, safe to run every hour."""

from django.tasks import task


@task
def send_mentoring_reminders():
    from mentoring import retention

    return retention.send_reminders()
