from django.urls import path

from invocations.views import account, home

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("account/", account.account, name="account"),
    path("account/tokens/", account.create_api_token, name="create-api-token"),
    path("account/tokens/<uuid:token_uuid>/revoke/", account.revoke_api_token, name="revoke-api-token"),
]
