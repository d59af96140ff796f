from django.urls import path

import invocations.converters  # noqa: F401  (registers <export_format:>, <fc_name:>)
from invocations.views import (
    account,
    compare,
    follows,
    functions,
    history,
    home,
    invocation,
    invoke,
    profiles,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("home/live", home.home_live, name="home-live"),
    path("healthz", home.healthz, name="healthz"),
    path("invoke/", invoke.invoke, name="invoke"),
    path("invoke/services", invoke.browse_services, name="browse-services"),
    path("invoke/functions", invoke.browse_functions, name="browse-functions"),
    path("invoke/qualifiers", invoke.browse_qualifiers, name="browse-qualifiers"),
    path("invoke/trigger", invoke.browse_trigger, name="browse-trigger"),
    path("history/", history.history, name="history"),
    # Under /team/ since the export began on the team pages; links and scripts use this path.
    path("team/history.<export_format:fmt>", history.history_export, name="history-export"),
    path("invocations/<uuid:uuid>/", invocation.invocation_detail, name="invocation"),
    path("invocations/<uuid:uuid>/live", invocation.invocation_live, name="invocation-live"),
    path("invocations/<uuid:uuid>/s-invoke", invocation.invocation_s_invoke, name="invocation-s-invoke"),
    path(
        "invocations/<uuid:uuid>/<str:part>.bin",
        invocation.invocation_download,
        name="invocation-download",
    ),
    path("invocations/<uuid:uuid>/rerun", invocation.invocation_rerun, name="invocation-rerun"),
    path("invocations/<uuid:uuid>/stop", invocation.invocation_stop, name="invocation-stop"),
    path(
        "invocations/<uuid:uuid>/compare/<uuid:other>/", compare.invocation_compare, name="invocation-compare"
    ),
    path(
        "invocations/<uuid:uuid>/compare/previous",
        compare.invocation_compare_previous,
        name="invocation-compare-previous",
    ),
    path("functions/", functions.function_list, name="functions"),
    path("functions/follow", follows.follow_function, name="function-follow"),
    path("functions/follows/<uuid:uuid>/stop", follows.unfollow_function, name="function-unfollow"),
    path("functions/<fc_name:service>/<fc_name:function>/", functions.function_detail, name="function"),
    # An FC 3.0 function has no service: its page is one segment shorter, never a made-up service.
    path("functions/<fc_name:function>/", functions.function_detail, name="function-fc3"),
    path("profiles/", profiles.profile_list, name="profile-list"),
    path("profiles/new", profiles.profile_create, name="profile-create"),
    path("profiles/<uuid:uuid>/", profiles.profile_edit, name="profile-edit"),
    path("profiles/<uuid:uuid>/test", profiles.profile_test, name="profile-test"),
    path("account/", account.account, name="account"),
    path("account/tokens/", account.create_api_token, name="create-api-token"),
    path("account/tokens/<uuid:token_uuid>/revoke/", account.revoke_api_token, name="revoke-api-token"),
]
