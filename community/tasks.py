"""Background work: e-mail leaves only through here, after commit, and carries no content."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from community import notices

NOTICE_SUBJECT = "You have a new notice on Confide"


@task
def send_notification_email(notification_id):
    from community import policies
    from community.models import Notification

    notification = (
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
        .select_related("user")
        .first()
    )
    if notification is None:
        return
    user = notification.user
    if not user.email or not user.is_active or user.erased_at:
        return
    if not policies.can_see_notification_target(user, notification):
        return
    link = settings.SITE_URL + reverse("community:notification_open", args=[notification.pk])
    body = (
        f"{notices.sentence(notification.kind)}\n\n"
        f"Sign in to see it: {link}\n\n"
        "For your privacy, Confide e-mails never contain what anyone wrote.\n"
    )
    send_mail(NOTICE_SUBJECT, body, None, [user.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


@task
def send_invitation_email(invitation_id):
    from community.models import Invitation

    invitation = Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is None:
        return
    link = settings.SITE_URL + reverse("community:invitation", args=[invitation.token])
    expires = timezone.localtime(invitation.expires_at).strftime("%-d %B %Y")
    body = (
        "You have been invited to join Confide, a confidential community for NHS board "
        "leaders working on race equality.\n\n"
        f"Accept the invitation and choose a password: {link}\n\n"
        f"The link works once, for this e-mail address only, until {expires}.\n"
        "If you were not expecting this, you can ignore this e-mail.\n"
    )
    send_mail("Your invitation to Confide", body, None, [invitation.email])
