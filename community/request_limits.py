"""Limits on what a request may be, and where it came from."""

import ipaddress

from django.conf import settings


class ParseFormsEarlyMiddleware:
    """Read every POST body before any view runs.

    Django parses lazily, so a view that never reads its form (an "I accept" button) would act
    on a body with 10,000 fields or 3 MB. Reading it here makes the size and field-count limits
    answer 400 for every route alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            request.POST  # noqa: B018  (raises RequestDataTooBig / TooManyFieldsSent -> 400)
        return self.get_response(request)


# The client's address, behind the reverse proxy ---------------------------------------------


def client_address(request):
    """The address a request came from, for sign-in limits and the session list.

    The peer (REMOTE_ADDR) unless it is one of settings.TRUSTED_PROXIES; then the address that
    proxy put in X-Forwarded-For, read from the right past any other trusted proxy, so that a
    value the client wrote itself at the left is never believed. A header from any other peer
    is ignored.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(peer):
        return peer
    forwarded = request.headers.get("X-Forwarded-For", "")
    for candidate in reversed([item.strip() for item in forwarded.split(",")]):
        address = _parse_address(candidate)
        if address is None:
            break  # a proxy we trust wrote something we cannot read: count against the peer
        if not _is_trusted_proxy(address):
            return address
    return peer


def _parse_address(value):
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _is_trusted_proxy(address):
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in settings.TRUSTED_PROXIES)
