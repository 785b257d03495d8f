from django.urls import path

from . import views

urlpatterns = [
    path("", views.team_page, name="team"),
    path("invitations/", views.invite_member, name="team-invite"),
    path(
        "invitations/<uuid:code>/revoke/",
        views.revoke_invitation,
        name="team-invitation-revoke",
    ),
    path("members/<uuid:code>/role/", views.change_role, name="team-member-role"),
    path("members/<uuid:code>/remove/", views.remove_member, name="team-member-remove"),
    path("credential/", views.save_credential, name="team-credential"),
    path("credential/test/", views.test_credential, name="team-credential-test"),
]
