from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail has no edit or delete path, here or anywhere."""

    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_repr", "source_ip")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_id", "object_repr")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
