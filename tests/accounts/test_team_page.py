"""The team page: members, roles and the team's InsideView credential."""

import pytest
from django.urls import reverse

from accounts.models import (
    ApiCredential,
    CredentialChange,
    Invitation,
    Membership,
    User,
)
from tests.conftest import TEST_ACCOUNT

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
Action = CredentialChange.Action


@pytest.fixture
def alice_client(client, people):
    client.force_login(people.alice)
    return client


def _role(people, user):
    membership = Membership.objects.filter(team=people.team, user=user).first()
    return membership.role if membership else None


def _membership(people, user):
    return Membership.objects.get(team=people.team, user=user)


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def test_page_lists_members_and_roles(alice_client, people):
    response = alice_client.get(reverse("team"))

    assert response.status_code == 200
    for email in ("alice@example.com", "bob@example.com", "vera@example.com"):
        assert email.encode() in response.content
    assert b"olga@example.com" not in response.content
    assert b"Invite by email" in response.content


def test_page_masks_the_secret(alice_client, people):
    response = alice_client.get(reverse("team"))

    assert TEST_ACCOUNT[1].encode() not in response.content
    assert people.credential.client_secret_encrypted.encode() not in response.content
    assert "••••4321".encode() in response.content


def test_member_sees_page_without_owner_forms(client, people):
    client.force_login(people.bob)

    response = client.get(reverse("team"))

    assert response.status_code == 200
    assert b"Invite by email" not in response.content
    assert b"Save credential" not in response.content
    assert "••••4321".encode() in response.content


def _invite(client, email, role="member"):
    return client.post(
        reverse("team-invite"), {"email": email, "role": role}, follow=True
    )


def test_owner_invites_and_user_accepts(alice_client, client, people):
    newcomer = User.objects.create_user("nina@example.com", "pw")

    response = _invite(alice_client, "Nina@Example.com", "viewer")
    client.force_login(newcomer)
    dashboard = client.get("/")
    invitation = Invitation.objects.get()
    accepted = client.post(
        reverse("invitation-accept", args=[invitation.code]), follow=True
    )

    assert "Invited nina@example.com as viewer." in _messages(response)[0]
    assert (
        b"invited you to join <strong>Acme analytics</strong> as viewer"
        in dashboard.content
    )
    assert _role(people, newcomer) == Membership.Role.VIEWER
    assert "You joined Acme analytics as viewer." in _messages(accepted)
    assert not Invitation.objects.exists()


def test_invitation_adds_nobody_until_accepted(alice_client, people):
    newcomer = User.objects.create_user("nina@example.com", "pw")

    _invite(alice_client, "nina@example.com", "owner")

    assert _role(people, newcomer) is None


def test_unknown_email_is_not_revealed(alice_client, people):
    known = _messages(_invite(alice_client, "bob2@example.com"))
    User.objects.create_user("nina@example.com", "pw")
    existing = _messages(_invite(alice_client, "nina@example.com"))

    assert known[0].replace("bob2", "X") == existing[0].replace("nina", "X")


def test_declined_invitation_is_gone(alice_client, client, people):
    newcomer = User.objects.create_user("nina@example.com", "pw")
    _invite(alice_client, "nina@example.com")
    invitation = Invitation.objects.get()
    client.force_login(newcomer)

    client.post(reverse("invitation-decline", args=[invitation.code]))

    assert not Invitation.objects.exists()
    assert _role(people, newcomer) is None


def test_invitation_for_someone_else_is_404(alice_client, client, people):
    _invite(alice_client, "nina@example.com")
    invitation = Invitation.objects.get()
    client.force_login(people.olga)

    response = client.post(reverse("invitation-accept", args=[invitation.code]))

    assert response.status_code == 404
    assert Invitation.objects.exists()
    assert _role(people, people.olga) is None


def test_owner_withdraws_invitation(alice_client, people):
    _invite(alice_client, "nina@example.com")
    invitation = Invitation.objects.get()

    alice_client.post(reverse("team-invitation-revoke", args=[invitation.code]))

    assert not Invitation.objects.exists()


def test_member_already_in_team_is_not_invited(alice_client, people):
    response = _invite(alice_client, "bob@example.com")

    assert "bob@example.com is already a member of this team." in _messages(response)
    assert not Invitation.objects.exists()


def test_owner_changes_role(alice_client, people):
    bob = _membership(people, people.bob)

    alice_client.post(reverse("team-member-role", args=[bob.code]), {"role": "owner"})

    assert _role(people, people.bob) == Membership.Role.OWNER


def test_last_owner_keeps_role(alice_client, people):
    alice = _membership(people, people.alice)

    response = alice_client.post(
        reverse("team-member-role", args=[alice.code]), {"role": "member"}, follow=True
    )

    assert _role(people, people.alice) == Membership.Role.OWNER
    assert any("only owner" in text for text in _messages(response))


def test_last_owner_is_not_removed(alice_client, people):
    alice = _membership(people, people.alice)

    alice_client.post(reverse("team-member-remove", args=[alice.code]))

    assert Membership.objects.filter(pk=alice.pk).exists()


def test_owner_steps_down_after_promoting(alice_client, people):
    bob = _membership(people, people.bob)
    alice = _membership(people, people.alice)

    alice_client.post(reverse("team-member-role", args=[bob.code]), {"role": "owner"})
    alice_client.post(reverse("team-member-remove", args=[alice.code]))

    assert not Membership.objects.filter(pk=alice.pk).exists()
    assert _role(people, people.bob) == Membership.Role.OWNER


def test_owner_removes_member(alice_client, people):
    vera = _membership(people, people.vera)

    alice_client.post(reverse("team-member-remove", args=[vera.code]))

    assert not Membership.objects.filter(pk=vera.pk).exists()


def test_invalid_role_changes_nothing(alice_client, people):
    bob = _membership(people, people.bob)

    alice_client.post(reverse("team-member-role", args=[bob.code]), {"role": "admin"})

    assert _role(people, people.bob) == Membership.Role.MEMBER


@pytest.mark.parametrize("persona", ["bob", "vera"])
def test_non_owner_can_not_manage(client, people, persona):
    client.force_login(getattr(people, persona))
    bob = _membership(people, people.bob)

    responses = [
        client.post(reverse("team-member-role", args=[bob.code]), {"role": "owner"}),
        client.post(reverse("team-member-remove", args=[bob.code])),
        client.post(reverse("team-invite"), {"email": "olga@example.com"}),
        client.post(
            reverse("team-credential"),
            {"client_id": "x", "client_secret": "new-secret-1234"},
        ),
        client.post(reverse("team-credential-test"), headers=HTMX),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    assert _role(people, people.bob) == Membership.Role.MEMBER
    assert ApiCredential.objects.get(team=people.team).client_id == TEST_ACCOUNT[0]


def test_owner_adds_credential(client, people):
    client.force_login(people.olga)

    response = client.post(
        reverse("team-credential"),
        {
            "client_id": "globex-client",
            "client_secret": "globex-secret-8765",
            "signing_secret": "hook-secret-5555",
        },
        follow=True,
    )

    assert response.status_code == 200
    credential = ApiCredential.objects.get(team=people.other_team)
    assert credential.client_id == "globex-client"
    assert credential.client_secret == "globex-secret-8765"
    assert credential.signing_secret == "hook-secret-5555"
    assert "globex-secret" not in credential.client_secret_encrypted
    assert credential.updated_by == people.olga
    assert b"globex-secret-8765" not in response.content
    assert b"hook-secret-5555" not in response.content
    assert "••••8765".encode() in response.content
    assert "••••5555".encode() in response.content


def test_new_credential_needs_secret(client, people):
    client.force_login(people.olga)

    client.post(reverse("team-credential"), {"client_id": "globex-client"})

    assert not ApiCredential.objects.filter(team=people.other_team).exists()


def test_short_secret_is_rejected(alice_client, people):
    before = people.credential.client_secret_encrypted

    alice_client.post(
        reverse("team-credential"), {"client_id": "c", "client_secret": "abc"}
    )

    people.credential.refresh_from_db()
    assert people.credential.client_secret_encrypted == before


def test_replacing_records_who_and_what(alice_client, people):
    alice_client.post(
        reverse("team-credential"),
        {"client_id": "acme-new-client", "client_secret": "replaced-secret-2468"},
    )

    changes = list(CredentialChange.objects.filter(team=people.team))
    assert {change.action for change in changes} == {
        Action.CLIENT_ID,
        Action.CLIENT_SECRET,
    }
    assert {change.user for change in changes} == {people.alice}
    secret_change = next(c for c in changes if c.action == Action.CLIENT_SECRET)
    assert secret_change.detail == "••••4321 replaced by ••••2468"
    credential = ApiCredential.objects.get(team=people.team)
    assert credential.client_secret == "replaced-secret-2468"
    assert credential.access_token_encrypted == ""


def test_blank_secret_keeps_stored_one(alice_client, people):
    before = people.credential.client_secret_encrypted

    alice_client.post(
        reverse("team-credential"), {"client_id": TEST_ACCOUNT[0], "client_secret": ""}
    )

    people.credential.refresh_from_db()
    assert people.credential.client_secret_encrypted == before
    assert not CredentialChange.objects.filter(team=people.team).exists()


def test_signing_secret_can_be_removed(alice_client, people):
    alice_client.post(
        reverse("team-credential"),
        {"client_id": TEST_ACCOUNT[0], "signing_secret": "hook-secret-9999"},
    )
    alice_client.post(
        reverse("team-credential"),
        {"client_id": TEST_ACCOUNT[0], "remove_signing_secret": "on"},
    )

    people.credential.refresh_from_db()
    assert people.credential.signing_secret == ""
    assert people.credential.signing_last4 == ""
    actions = list(
        CredentialChange.objects.filter(team=people.team)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [Action.SIGNING_SECRET_SET, Action.SIGNING_SECRET_REMOVED]


def test_changes_are_listed_on_page(alice_client, people):
    alice_client.post(
        reverse("team-credential"),
        {"client_id": TEST_ACCOUNT[0], "client_secret": "replaced-secret-2468"},
    )

    response = alice_client.get(reverse("team"))

    assert b"Client secret replaced" in response.content
    assert "••••4321 replaced by ••••2468".encode() in response.content
    assert b"replaced-secret-2468" not in response.content


def test_connection_test_fetches_token(alice_client, people, simulator_url):
    response = alice_client.post(reverse("team-credential-test"), headers=HTMX)

    assert response.status_code == 200
    assert b'id="connection-result"' in response.content
    assert b"<html" not in response.content
    assert b"accepted the credential" in response.content
    people.credential.refresh_from_db()
    assert people.credential.cached_access_token()


def test_connection_test_reports_rejection(alice_client, people, simulator_url):
    people.credential.set_client_secret("wrong-secret-0000")
    people.credential.save()

    response = alice_client.post(reverse("team-credential-test"), headers=HTMX)

    assert response.status_code == 200
    assert b"Credentials rejected" in response.content
    assert b"wrong-secret-0000" not in response.content


def test_connection_test_without_htmx_redirects(alice_client, people, simulator_url):
    response = alice_client.post(reverse("team-credential-test"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("team")
    assert any("accepted the credential" in text for text in _messages(response))


def test_switcher_lists_other_teams(client, people):
    Membership.objects.create(
        team=people.other_team, user=people.alice, role=Membership.Role.VIEWER
    )
    client.force_login(people.alice)

    page = client.get(reverse("dashboard"))
    switch_url = reverse("switch-team", args=[people.other_team.code])
    client.post(switch_url)
    team_page = client.get(reverse("team"))

    assert switch_url.encode() in page.content
    assert team_page.context["team"] == people.other_team
    assert b"olga@example.com" in team_page.content
    assert b"Invite by email" not in team_page.content
