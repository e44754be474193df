from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from events.models import Event, Registration


@admin.register(Event)
class EventAdmin(GuardedModelAdmin):
    """Read-mostly: events are created and changed through the steward pages (and services)."""

    list_display = ["title", "starts_at", "status", "capacity", "approval_required"]
    list_filter = ["status", "format"]
    search_fields = ["title"]
    readonly_fields = ["uid", "sequence", "description_html", "created_at", "updated_at"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "status", "attended", "created_at"]
    list_filter = ["status", "attended"]
    raw_id_fields = ["event", "user", "decided_by"]

    def has_add_permission(self, request):
        return False
