from django.urls import path

from savedevents.views import events, files, from_invocation, picker, templates, versions

app_name = "savedevents"

urlpatterns = [
    path("", events.event_list, name="list"),
    path("trash/", events.trash, name="trash"),
    path("new/", templates.choose, name="new"),
    path("new/blank/", events.create, name="create"),
    path("new/<slug:template>/", templates.from_template, name="from_template"),
    path("new/<slug:template>/preview/", templates.preview, name="preview"),
    path("import/", files.import_events, name="import"),
    path("export/", files.export, name="export"),
    path("picker/", picker.picker, name="picker"),
    path("from-invocation/<uuid:uuid>/", from_invocation.from_invocation, name="from_invocation"),
    path("<uuid:uuid>/", events.detail, name="detail"),
    path("<uuid:uuid>/edit/", events.edit, name="edit"),
    path("<uuid:uuid>/duplicate/", events.duplicate, name="duplicate"),
    path("<uuid:uuid>/delete/", events.delete, name="delete"),
    path("<uuid:uuid>/undelete/", events.undelete, name="undelete"),
    path("<uuid:uuid>/download/", files.download, name="download"),
    path("<uuid:uuid>/choose/", picker.choose, name="choose"),
    path("<uuid:uuid>/diff/", versions.diff, name="diff"),
    path("<uuid:uuid>/versions/<int:number>/restore/", versions.restore, name="restore"),
]
