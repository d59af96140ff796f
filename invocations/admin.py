from django.contrib import admin

from invocations.models import AsyncStatusEvent, Invocation, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role")
    list_filter = ("role",)


class AsyncStatusEventInline(admin.TabularInline):
    model = AsyncStatusEvent
    extra = 0
    can_delete = False
    readonly_fields = ("status", "at", "detail", "fc_event_id", "recorded_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invocation)
class InvocationAdmin(admin.ModelAdmin):
    """History is evidence: the admin shows invocations and never adds, edits or deletes one."""

    list_display = (
        "created_at",
        "state",
        "service",
        "function",
        "qualifier",
        "invocation_type",
        "user",
        "profile",
    )
    list_filter = ("state", "invocation_type", "source")
    search_fields = ("function", "service", "request_id", "async_invocation_id", "uuid")
    list_select_related = ("user", "profile")
    date_hierarchy = "created_at"
    show_full_result_count = False  # a count over a million rows on every page is slow
    exclude = ("event", "response_body")  # payloads stay out of the admin; the console page shows them
    inlines = [AsyncStatusEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
