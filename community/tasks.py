"""Background work: e-mail leaves only through here, after commit, and carries no content."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from community import notices
from community.policies import person_label

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
    from community.models import Invitation, NetworkRole

    invitation = (
        Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True)
        .select_related("invited_by__profile")
        .prefetch_related("networks")
        .first()
    )
    if invitation is None:
        return
    link = settings.SITE_URL + reverse("community:invitation", args=[invitation.token])
    expires = timezone.localtime(invitation.expires_at).strftime("%-d %B %Y")
    # The invitee may know the network's name and who asked them: they are being invited to it.
    # Nothing else about the network (members, posts) ever goes into an e-mail.
    inviter = person_label(None, invitation.invited_by) if invitation.invited_by else "A steward"
    names = [network.name for network in invitation.networks.all()]
    role = " as a moderator" if invitation.role == NetworkRole.MODERATOR else ""
    where = f"to join {_and_list(names)}{role} on Confide" if names else "to join Confide"
    body = (
        f"{inviter} has invited you {where}.\n\n"
        "Confide is a confidential, invitation-only community where NHS board leaders learn "
        "from each other about race equality: closed forums, mentoring and peer-learning "
        "events.\n\n"
        "Why it is confidential: people speak openly here about difficult experiences. "
        "Only invited members can see a network, what is said stays there, and our e-mails "
        "never contain what anyone wrote.\n\n"
        f"Accept the invitation: {link}\n\n"
        "You will give your name, board role and organisation, choose a password and read the "
        "network's safe-space agreement. It takes about three minutes.\n\n"
        f"The link works once, for this e-mail address only, until {expires}.\n"
        "If you were not expecting this, you can ignore this e-mail.\n"
    )
    send_mail("Your invitation to Confide", body, None, [invitation.email])


def _and_list(names):
    quoted = [f'"{name}"' for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
