"""Operations only: structure, not conversations. Post text and authors are not shown here."""

from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from forums.models import Forum


@admin.register(Forum)
class ForumAdmin(GuardedModelAdmin):
    list_display = ["name", "network", "position", "allow_anonymous", "slow_mode_seconds"]
    list_filter = ["network", "allow_anonymous"]
    readonly_fields = ["description_html"]
