from django.urls import path

import invocations.converters  # noqa: F401  (registers <export_format:>)
from audit.views import entries

app_name = "audit"
urlpatterns = [
    path("", entries.entry_list, name="entries"),
    path("audit.<export_format:fmt>", entries.entry_export, name="entries_export"),
]
