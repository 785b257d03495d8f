from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("teams/<uuid:code>/switch/", views.switch_team, name="switch-team"),
    path(
        "invitations/<uuid:code>/accept/",
        views.accept_invitation,
        name="invitation-accept",
    ),
    path(
        "invitations/<uuid:code>/decline/",
        views.decline_invitation,
        name="invitation-decline",
    ),
]
