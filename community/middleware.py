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
