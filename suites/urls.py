from django.urls import path

from suites import views

app_name = "suites"

urlpatterns = [
    path("", views.suite_list, name="list"),
    path("new/", views.create, name="create"),
    path("import/", views.import_suites, name="import"),
    path("export/", views.export, name="export"),
    path("runs/<uuid:uuid>/", views.run_detail, name="run"),
    path("runs/<uuid:uuid>/live/", views.run_live, name="run-live"),
    path("runs/<uuid:uuid>/compare/<uuid:other>/", views.run_compare, name="run-compare"),
    path("schedules/<uuid:uuid>/remove/", views.remove_schedule, name="remove-schedule"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/edit/", views.edit, name="edit"),
    path("<uuid:uuid>/export/", views.export, name="export-one"),
    path("<uuid:uuid>/checks/add/", views.edit_check, name="add-check"),
    path("<uuid:uuid>/checks/<int:index>/", views.edit_check, name="edit-check"),
    path("<uuid:uuid>/checks/<int:index>/remove/", views.remove_check, name="remove-check"),
    path("<uuid:uuid>/versions/<int:number>/restore/", views.restore, name="restore"),
    path("<uuid:uuid>/delete/", views.delete, name="delete"),
    path("<uuid:uuid>/undelete/", views.undelete, name="undelete"),
    path("<uuid:uuid>/run/", views.run, name="run-start"),
    path("<uuid:uuid>/schedules/", views.add_schedule, name="add-schedule"),
]
