"""Operations view of mentoring: statuses and counts only. Goals, notes, summaries, decline
reasons and feedback are not shown here: the admin is for operations, not for reading."""

from django.contrib import admin

from mentoring.models import MentoringRelationship, MentoringRequest, MentorProfile, Proposal


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["id", "user_id", "status", "capacity", "active_mentees", "created_at"]
    list_filter = ["status"]
    fields = ["status", "capacity", "active_mentees", "created_at", "approved_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MentoringRequest)
class MentoringRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "mentee_id", "status", "created_at", "matched_at"]
    list_filter = ["status"]
    fields = ["status", "created_at", "matched_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "source", "created_at", "expires_at"]
    list_filter = ["status", "source"]
    fields = ["status", "source", "created_at", "expires_at", "answered_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MentoringRelationship)
class MentoringRelationshipAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "started_at", "ended_at"]
    list_filter = ["status"]
    fields = ["status", "started_at", "paused_at", "ended_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
