"""What each app contributes to the site, declared once.

An app joins the site by mixing `SiteApp` into its AppConfig and overriding the hooks it has
something for. Every hook has a harmless default, so the site asks every app the same questions
(`for app in site_apps(): app.export_user_data(user)`) and a misspelt hook is an error at the
class, not a silently skipped getattr. pretix declares its plugin signals the same way.
"""

from django.apps import apps


class SiteApp:
    """Mixin for an app's AppConfig (a plain class, so Django's app discovery never picks it)."""

    #: Entries in the main menu: (label, URL name).
    nav: tuple[tuple[str, str], ...] = ()

    def network_section(self, request, network):
        """A block for the network's home page (a dict for includes/network_section.html)."""
        return None

    def export_user_data(self, user):
        """What this app holds about `user`, as JSON-ready data (DESIGN.md rule 9)."""
        return None

    def erase_user_data(self, user):
        """Remove or anonymise what this app holds about `user`."""

    def network_overview(self, network):
        """Aggregates for the network's stewards: [(title, [(label, count), ...])], counts
        only, never content (the overview suppresses counts under 5)."""
        return []

    def remove_user_writing(self, user):
        """On erasure, when the person asks: remove what they wrote (it can identify them)."""

    def two_factor_roles(self, user):
        """Exists() expressions, each true when `user` has a role here that needs two-factor."""
        return []

    def notification_target_querysets(self):
        """Querysets to fetch this app's notice targets with, for one GenericPrefetch."""
        return []

    def can_see_notification_target(self, user, target):
        """May `user` still see this target of one of this app's notices."""
        return False

    def describe_notification(self, viewer, notification):
        """The in-app sentence for one of this app's notices, naming what happened and where
        (asked only after the target was re-checked; e-mails never use it), or None."""
        return None

    def has_revealed(self, viewer, content):
        """Has `viewer` learnt who wrote this app's anonymous `content` through the audited
        reveal, and may they still see it (asked only by community.policies.person_label)."""
        return False


def site_apps():
    """The installed apps that take part in the site, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if isinstance(config, SiteApp)]
