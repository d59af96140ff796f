from django.urls import path

from team import views

app_name = "team"
urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new", views.user_create, name="user_create"),
    path("users/<str:username>/role", views.user_role, name="user_role"),
    path("users/<str:username>/active", views.user_active, name="user_active"),
    path("users/<str:username>/password-link", views.user_password_link, name="user_password_link"),
    path("set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
    path("set-password/done/", views.SetPasswordDoneView.as_view(), name="set_password_done"),
]
