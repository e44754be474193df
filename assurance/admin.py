"""Operations view of board assurance: rounds and their status only. No answers, no free text,
no results: the admin is for operations, not for reading a board's self-assessment."""

from django.contrib import admin

from assurance.models import Round


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "organisation_id",
        "questionnaire_version",
        "opened_at",
        "closes_at",
        "closed_at",
    ]
    fields = ["questionnaire_version", "opened_at", "closes_at", "closed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
