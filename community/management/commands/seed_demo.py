import logging
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from community import demo, policies

# The seeding's own notices (invitations, approvals, proposals) would fill the console with
# e-mails nobody reads before the sign-ins; they go nowhere instead.
SILENT_MAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Command(BaseCommand):
    help = "Fill the site with demo data. Safe to run again: it only adds what is missing."

    def handle(self, *args, **options):
        with override_settings(MAILERS=SILENT_MAIL), quiet("django.tasks"):
            context = demo.seed()
            for config in apps.get_app_configs():
                if config.name in {"forums", "mentoring", "events", "assurance"}:
                    try:
                        seed = import_string(f"{config.name}.demo.seed")
                    except ImportError:
                        continue
                    seed(context)
            secrets = demo.enrol_two_factor(context["people"])
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if settings.DEBUG:
            for line in sign_in_lines(context["people"], secrets):
                self.stdout.write(line)


@contextmanager
def quiet(name):
    """The seeding runs dozens of background tasks at once; their log lines bury the sign-ins."""
    logger = logging.getLogger(name)
    before, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = before


def roles_of(user):
    """What the person does in the demo, read from the data the seeding made."""
    from community.models import Network

    roles = []
    if policies.is_steward_anywhere(user):
        roles.append("steward")
    if Network.objects.filter(moderators_group__user=user).exists():
        roles.append("moderator")
    if apps.is_installed("events"):
        from events.policies import facilitates_anything

        if type(user).objects.filter(pk=user.pk).filter(facilitates_anything(user)).exists():
            roles.append("facilitator")
    if apps.is_installed("mentoring"):
        from mentoring.models import MentoringRequest, MentorProfile

        if MentorProfile.objects.filter(user=user, status=MentorProfile.Status.APPROVED).exists():
            roles.append("mentor")
        if MentoringRequest.objects.filter(mentee=user).exists():
            roles.append("mentee")
    return roles or ["member"]


def sign_in_lines(people, secrets):
    """Every demo account by role, in under 30 lines, with how to pass two-factor."""
    lines = [
        "",
        f"Open {settings.SITE_URL}/ and sign in. Password for every account: {demo.DEMO_PASSWORD}",
        f"{'Role':<24}{'E-mail address':<36}Name",
    ]
    for key, user in people.items():
        lines.append(
            f"{', '.join(roles_of(user)):<24}{user.email:<36}{user.display_name}"
            + (" (two-factor)" if key in secrets else "")
        )
    if secrets:
        lines.append("Two-factor: add a key to an authenticator app, or print the current code")
        lines.append("with  .venv/bin/python manage.py demo_code <account>  (for example steward).")
        for key, secret in secrets.items():
            lines.append(f"  {key:<14}key {secret}")
    lines.append("E-mails the site sends are printed below, as they happen.")
    return lines
