from django.urls import path, register_converter

from audit.views import entries, history, team


class ExportFormat:
    regex = "csv|jsonl"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "export_format")

app_name = "audit"
urlpatterns = [
    path("", entries.entry_list, name="entries"),
    path("audit.<export_format:fmt>", entries.entry_export, name="entries_export"),
    path("history.<export_format:fmt>", history.history_export, name="history_export"),
    path("users/", team.user_list, name="users"),
    path("users/new", team.user_create, name="user_create"),
    path("users/<str:username>/role", team.user_role, name="user_role"),
    path("users/<str:username>/active", team.user_active, name="user_active"),
    path("users/<str:username>/password-link", team.user_password_link, name="user_password_link"),
    path("set-password/<uidb64>/<token>/", team.SetPasswordView.as_view(), name="set_password"),
    path("set-password/done/", team.SetPasswordDoneView.as_view(), name="set_password_done"),
]
