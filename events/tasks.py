"""Reminder e-mails: the time and a sign-in link, never the title (DESIGN.md rule 2)."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

REMINDER_SUBJECT = "Reminder: a session you registered for is tomorrow"


def london_time(value):
    return timezone.localtime(value).strftime("%-d %B %Y at %H:%M")


@task
def send_event_reminder(registration_id):
    from events import policies
    from events.models import Event, Registration

    registration = (
        Registration.objects.filter(
            pk=registration_id,
            status=Registration.Status.CONFIRMED,
            event__status=Event.Status.PUBLISHED,
        )
        .select_related("user", "event")
        .first()
    )
    if registration is None:
        return
    user = registration.user
    if not user.email or not user.is_active or user.erased_at:
        return
    if not policies.can_view_event(user, registration.event):
        return
    link = settings.SITE_URL + reverse("events:detail", args=[registration.event_id])
    body = (
        "A session you registered for on Confide starts on "
        f"{london_time(registration.event.starts_at)} (UK time).\n\n"
        f"Sign in to see the details: {link}\n\n"
        "For your privacy, Confide e-mails never say what a session is about.\n"
    )
    send_mail(REMINDER_SUBJECT, body, None, [user.email])
