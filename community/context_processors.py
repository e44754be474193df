from django.urls import reverse

from confide.protocol import site_apps


def navigation(request):
    """The main menu: each app that has pages names its entry in its AppConfig (`nav`)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    current = request.resolver_match.namespace if request.resolver_match else ""
    items = []
    for app in site_apps():
        for label, url_name in app.nav:
            items.append(
                {
                    "label": label,
                    "url": reverse(url_name),
                    "current": current
                    and url_name.startswith(current + ":")
                    and request.resolver_match.view_name == url_name,
                }
            )
    return {"main_nav": items}
