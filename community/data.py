"""What community holds about one person, and the site-wide export and erasure (DESIGN.md rule 9).

`export_user_data` and `erase_user` are the two data-rights actions: they cover community's own
tables and ask every app through the protocol (`SiteApp.export_user_data`, `erase_user_data`,
`remove_user_writing`), so a new app's data joins by declaring its hooks in its own data.py.
"""

import logging

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from community import live, policies
from community.models import AgreementAcceptance, AuditEvent, JoinRequest, Profile, User
from community.services import audit
from confide.protocol import site_apps

logger = logging.getLogger(__name__)


def export_user_data(*, actor):
    """Everything held about the actor, and nothing about anyone else (DESIGN.md rule 9)."""
    profile = Profile.objects.filter(user=actor).select_related("organisation").first()
    # A network the person has left and may no longer see is not named, as on every page.
    named = set(policies.nameable_networks(actor).values_list("slug", flat=True))

    def rows(queryset, *fields):
        return [
            {
                **row,
                "network__slug": row["network__slug"] if row["network__slug"] in named else None,
            }
            for row in queryset.values(*fields, "network__slug")
        ]

    data = {
        "account": {
            "id": actor.pk,
            "email": actor.email,
            "date_joined": actor.date_joined,
            "last_login": actor.last_login,
        },
        "profile": None,
        "networks": [
            {
                "name": n.name,
                "slug": n.slug,
                "moderator": policies.is_moderator(actor, n),
                "steward": policies.is_steward(actor, n),
            }
            for n in policies.visible_networks(actor)
        ],
        "agreements": rows(
            AgreementAcceptance.objects.filter(user=actor), "version", "accepted_at"
        ),
        "join_requests": rows(
            JoinRequest.objects.filter(user=actor), "message", "status", "created_at", "reply"
        ),
        "notifications": [
            {
                "kind": n.kind,
                # A link names its network (/networks/<slug>/): kept only while it may be seen.
                "url": n.url if policies.can_see_notification_target(actor, n) else None,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in actor.notifications.select_related("target_type")
        ],
        "audit_events_about_me": rows(
            AuditEvent.objects.filter(subject_user_id=actor.pk), "verb", "created_at"
        ),
    }
    if profile:
        data["profile"] = {
            "display_name": profile.display_name,
            "board_role": profile.board_role,
            "organisation": profile.organisation_name or None,
            "work_visibility": profile.work_visibility,
            "pronouns": profile.pronouns,
            "bio": profile.bio,
            "ethnicity": profile.ethnicity,
            "ethnicity_visibility": profile.ethnicity_visibility,
            "lived_experience": profile.lived_experience,
            "lived_experience_visibility": profile.lived_experience_visibility,
        }
    for app in site_apps():
        if (exported := app.export_user_data(actor)) is not None:
            data[app.label] = exported
    audit(actor=actor, verb="account.export", target=actor, subject=actor)
    return data


@transaction.atomic
def erase_user(*, actor, remove_writing=False):
    """Remove personal data; authored content stays and shows "Former member", unless the
    person also asks to remove what they wrote (a post can identify its author)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session
    from guardian.models import UserObjectPermission

    user = User.objects.select_for_update().get(pk=actor.pk)
    for app in site_apps():
        if remove_writing:
            app.remove_user_writing(user)
        app.erase_user_data(user)
    Profile.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    session_keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=session_keys).delete()
    UserSession.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    UserObjectPermission.objects.filter(user=user).delete()
    for model in apps.get_models():
        # guardian's direct-foreign-key tables (one per busy model) hold grants to this user.
        if model._meta.abstract or not hasattr(model, "content_object"):
            continue
        if any(f.name == "user" for f in model._meta.fields) and model.__name__.endswith(
            "UserObjectPermission"
        ):
            model.objects.filter(user=user).delete()
    user.notifications.all().delete()
    JoinRequest.objects.filter(user=user).delete()
    user.email = None
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.erased_at = timezone.now()
    user.save()
    audit(actor=user, verb="account.erase", target=user, subject=user)
    live.revoke_user_connections(user.pk, reason="erased")
    logger.info("account erased: user id %s", user.pk)
