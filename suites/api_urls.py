from django.urls import path

from suites import api

# Mounted under /api/v1/ ahead of invocations.api.urls, whose last pattern answers every other path.
urlpatterns = [
    path("suites/", api.SuiteList.as_view(), name="api-suites"),
    path("suites/<str:suite_id>/", api.SuiteDetail.as_view(), name="api-suite"),
    path("suites/<str:suite_id>/runs/", api.SuiteRunStart.as_view(), name="api-suite-run"),
    path("suite-runs/<str:run_id>/", api.SuiteRunDetail.as_view(), name="api-suite-run-detail"),
]
