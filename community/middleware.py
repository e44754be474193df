from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """Pages for a signed-in user are never stored by a browser or a proxy (DESIGN.md rule 4)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


# Pages a person who must enrol may still open: enrolment itself, the re-authentication it asks
# for first, the recovery codes shown after it, signing out, and the public pages. A newcomer
# also reads and accepts the agreement of the network they were invited to first (the welcome
# steps: agreement, then two-factor); the agreement page shows only the agreement, never content.
TWO_FACTOR_EXEMPT_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "community:welcome",
        "community:agreement",
        "healthz",
        "community:privacy",
        "community:accessibility",
    }
)


class TwoFactorEnrolmentMiddleware:
    """Stewards, moderators, facilitators and members of networks that require it enrol TOTP
    before any other page (DESIGN.md rule 10). allauth cannot make MFA compulsory; this does.

    No query on a cached request; one (policies.must_enrol_in_two_factor) after a change.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is None or match.view_name in TWO_FACTOR_EXEMPT_URL_NAMES:
            return None
        if request.path.startswith("/static/"):
            return None
        if not must_enrol(user):
            return None
        return redirect(reverse("mfa_activate_totp"))


def must_enrol(user):
    """True when the user must use TOTP and has none yet: from the per-user cache, whose key a
    role, membership, network or authenticator change replaces (community/usercache.py)."""
    from community import usercache

    return usercache.facts(user)["must_enrol"]


class AgreementGateMiddleware:
    """Pages refused by the one gate only for want of the current agreement go to it.

    Policies raise policies.AgreementRequired (an Http404) from their `get_*` lookups; here,
    and only for pages, it becomes a redirect to the network's agreement. Any other channel
    (sockets, search, e-mail) sees the plain 404 it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from community.policies import AgreementRequired

        if not isinstance(exception, AgreementRequired):
            return None
        return redirect("community:agreement", slug=exception.network.slug)
