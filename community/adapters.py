from allauth.account.adapter import DefaultAccountAdapter

INVITATION_SESSION_KEY = "confide_invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up exists only through a valid invitation (DESIGN.md rule 1)."""

    def is_open_for_signup(self, request):
        from community import services

        token = request.session.get(INVITATION_SESSION_KEY)
        return bool(token) and services.find_usable_invitation(token) is not None
