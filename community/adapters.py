import secrets
import time

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

INVITATION_SESSION_KEY = "confide_invitation_token"
# Set at sign-up, cleared when the welcome steps (agreement, two-factor) lead to the network.
WELCOME_SESSION_KEY = "confide_welcome"


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up exists only through a valid invitation (DESIGN.md rule 1).

    The invitation page (community.views.invitation) puts the token in the session and stashes
    the invited address as verified (`stash_verified_email`), so allauth marks it verified
    without sending a confirmation e-mail. The sign-up form fixes the address to it.
    """

    def is_open_for_signup(self, request):
        from community import services

        token = request.session.get(INVITATION_SESSION_KEY)
        return bool(token) and services.find_usable_invitation(token) is not None

    def populate_username(self, request, user):
        """People sign in by e-mail; the username is a unique, meaningless internal handle."""
        if not user.username:
            user.username = f"member-{secrets.token_hex(8)}"

    def save_user(self, request, user, form, commit=True):
        from community import services

        token = request.session.get(INVITATION_SESSION_KEY)
        # The form checked the token against the address; check again inside the save.
        invitation = services.check_invitation(token or "", form.cleaned_data.get("email"))
        user = super().save_user(request, user, form, commit=True)
        services.accept_invitation(invitation=invitation, user=user)
        if hasattr(form, "profile_fields"):
            services.update_profile(actor=user, **form.profile_fields())
        request.session.pop(INVITATION_SESSION_KEY, None)
        request.session[WELCOME_SESSION_KEY] = True
        return user

    def post_login(self, request, user, **kwargs):
        record_fresh_sign_in(request, user, signup=kwargs.get("signup", False))
        return super().post_login(request, user, **kwargs)

    def get_signup_redirect_url(self, request):
        return reverse("community:welcome")


# A sign-in whose last factor was typed this long ago or less counts as "just signed in".
FRESH_SIGN_IN_SECONDS = 60


def record_fresh_sign_in(request, user, *, signup):
    """A password (and code) typed a moment ago count as a recent re-authentication.

    allauth asks for the password again before sensitive steps such as setting up two-factor,
    and counts only records marked `reauthenticated`. Right after sign-up or sign-in that
    second prompt is noise, so the sign-in itself is recorded as one. A session signed in by
    other means (a confirmation link) records nothing and is still asked.
    """
    from allauth.account.internal.flows.login import (
        get_authentication_records,
        record_authentication,
    )

    if signup:
        record_authentication(request, user, method="password", reauthenticated=True)
        return
    records = get_authentication_records(request, user)
    last = records[-1] if records else None
    if (
        last
        and last.get("method") in {"password", "mfa"}
        and time.time() - last.get("at", 0) < FRESH_SIGN_IN_SECONDS
    ):
        record_authentication(request, user, method=last["method"], reauthenticated=True)
