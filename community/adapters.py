import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter

INVITATION_SESSION_KEY = "confide_invitation_token"


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
        request.session.pop(INVITATION_SESSION_KEY, None)
        return user


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """Ending sessions from the session list also closes their open WebSockets at once."""

    def end_sessions(self, sessions):
        from community import services

        user = getattr(self.request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        services.end_sessions(actor=actor, sessions=sessions)
