import secrets
import time

from allauth.account.adapter import DefaultAccountAdapter

# allauth's own adapter counts failed sign-ins with this module; the override below does too.
from allauth.core.internal import ratelimit
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.urls import reverse

from community.request_limits import client_address

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

    # Where a request came from, and failed sign-ins ---------------------------------------------

    def get_client_ip(self, request):
        """The client behind the trusted proxy (allauth's rate limits and session list ask)."""
        return client_address(request)

    def _failed_sign_in_keys(self, request, credentials):
        account = str(credentials.get("email") or credentials.get("username") or "").lower()
        return account, f"{account}|{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        """Count this attempt against the account from this address, the address, and the
        account from anywhere; allauth gives the count back when the password was right."""
        account, pair = self._failed_sign_in_keys(request, credentials)
        usage = ratelimit.consume(request, app="allauth.account", action="login_failed", key=pair)
        if usage:
            anywhere = ratelimit.consume(
                request, app="allauth.account", action="login_failed_account", key=account
            )
            if anywhere:
                usage.usage.extend(anywhere.usage)
            else:
                usage.rollback()
                usage = None
        self._login_failed_rl_usage = usage
        if not usage:
            raise self.validation_error("too_many_login_attempts")

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """After a password reset, as allauth does: the account starts afresh."""
        account, pair = self._failed_sign_in_keys(request, credentials)
        ratelimit.clear(request, app="allauth.account", action="login_failed", key=pair)
        ratelimit.clear(request, app="allauth.account", action="login_failed_account", key=account)


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """Ending sessions from the session list also closes their open WebSockets at once."""

    def end_sessions(self, sessions):
        from community import services

        user = getattr(self.request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        services.end_sessions(actor=actor, sessions=sessions)


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
