"""The Django admin as site staff use it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import (
    ApiCredential,
    CredentialChange,
    Membership,
    Team,
    TeamQuota,
    User,
)
from techjobs.insideview import InsideViewClient
from techjobs.models import JobEvent, TechJob, UsageEntry
from tests.factories import make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, people):
    people.alice.is_staff = people.alice.is_superuser = True
    people.alice.save()
    client.force_login(people.alice)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/team/",
        "/admin/accounts/apicredential/",
        "/admin/techjobs/techjob/",
        "/admin/techjobs/upload/",
        "/admin/techjobs/usageentry/",
        "/admin/accounts/teamquota/",
        "/admin/accounts/credentialchange/",
    ],
)
def test_list_pages_open(staff_client, people, url):
    make_job(people.team)

    assert staff_client.get(url).status_code == 200


def test_credential_pages_never_show_the_secret(staff_client, people):
    credential = people.credential

    listing = staff_client.get("/admin/accounts/apicredential/")
    change = staff_client.get(f"/admin/accounts/apicredential/{credential.pk}/change/")

    for response in (listing, change):
        assert people.credential.client_secret.encode() not in response.content
        assert credential.client_secret_encrypted.encode() not in response.content
    assert b"4321" in listing.content


def test_blank_secret_keeps_the_stored_one(staff_client, people):
    credential = people.credential
    before = credential.client_secret

    response = staff_client.post(
        f"/admin/accounts/apicredential/{credential.pk}/change/",
        {
            "team": people.team.pk,
            "client_id": "renamed-client",
            "client_secret": "",
            "signing_secret": "",
        },
    )

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.client_id == "renamed-client"
    assert credential.client_secret == before
    assert credential.updated_by == people.alice


def test_new_secret_is_stored_encrypted(staff_client, people):
    credential = people.credential

    staff_client.post(
        f"/admin/accounts/apicredential/{credential.pk}/change/",
        {
            "team": people.team.pk,
            "client_id": "c",
            "client_secret": "brand-new-9876",
            "signing_secret": "",
        },
    )

    credential = ApiCredential.objects.get(pk=credential.pk)
    assert credential.client_secret == "brand-new-9876"
    assert "brand-new" not in credential.client_secret_encrypted
    assert credential.secret_last4 == "9876"


def test_jobs_are_read_only(staff_client, people):
    job, _ = make_job(people.team)

    page = staff_client.get(f"/admin/techjobs/techjob/{job.pk}/change/")
    post = staff_client.post(
        f"/admin/techjobs/techjob/{job.pk}/change/", {"status": "failed"}
    )

    assert page.status_code == 200
    assert post.status_code == 403
    job.refresh_from_db()
    assert job.status == TechJob.Status.QUEUED


LIST_PAGES = [
    "/admin/accounts/user/",
    "/admin/accounts/team/",
    "/admin/accounts/apicredential/",
    "/admin/accounts/teamquota/",
    "/admin/accounts/credentialchange/",
    "/admin/techjobs/techjob/",
    "/admin/techjobs/upload/",
    "/admin/techjobs/usageentry/",
]


def _add_teams(count, start):
    """Create teams with a member, a credential, a job and a credential change."""
    for n in range(start, start + count):
        team = Team.objects.create(name=f"Team {n}")
        user = User.objects.create_user(f"user{n}@example.com", "pw")
        Membership.objects.create(team=team, user=user, role=Membership.Role.OWNER)
        credential = ApiCredential(team=team, client_id=f"client-{n}")
        credential.set_client_secret(f"secret-{n:08d}")
        credential.updated_by = user
        credential.save()
        CredentialChange.objects.create(team=team, user=user, action="created")
        make_job(team)


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_queries_do_not_grow(
    staff_client, people, django_assert_max_num_queries, url
):
    _add_teams(2, start=0)
    with CaptureQueriesContext(connection) as small:
        assert staff_client.get(url).status_code == 200

    _add_teams(15, start=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(url)

    assert response.status_code == 200
    assert (
        b"Team 16" in response.content
        or b"user16@example.com" in (response.content)
        or b"client-16" in response.content
    )


def test_team_added_in_admin_gets_one_quota(staff_client, people):
    response = staff_client.post(
        "/admin/accounts/team/add/",
        {
            "name": "Initech",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": people.bob.pk,
            "memberships-0-role": "owner",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    team = Team.objects.get(name="Initech")
    assert TeamQuota.objects.filter(team=team).count() == 1
    assert team.memberships.get().user == people.bob


def test_quota_beyond_api_limit_is_rejected(staff_client, people):
    quota = people.team.quota

    response = staff_client.post(
        f"/admin/accounts/teamquota/{quota.pk}/change/",
        {
            "monthly_ids": 5000,
            "ids_per_job": 10_001,
            "running_jobs": 3,
            "requests_per_window": 1000,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "ids_per_job" in errors
    assert "running_jobs" in errors
    quota.refresh_from_db()
    assert quota.ids_per_job == 10_000


def test_credential_edit_is_recorded(staff_client, people):
    staff_client.post(
        f"/admin/accounts/apicredential/{people.credential.pk}/change/",
        {"client_id": "test-client", "client_secret": "admin-set-secret-1357"},
    )

    change = CredentialChange.objects.get(team=people.team)
    assert change.action == CredentialChange.Action.CLIENT_SECRET
    assert change.user == people.alice
    assert change.detail == "••••4321 replaced by ••••1357"
    history = staff_client.get("/admin/accounts/credentialchange/")
    assert b"admin-set-secret-1357" not in history.content
    assert "••••1357".encode() in history.content


def test_credential_delete_is_recorded(staff_client, people):
    staff_client.post(
        f"/admin/accounts/apicredential/{people.credential.pk}/delete/",
        {"post": "yes"},
    )

    assert not ApiCredential.objects.filter(team=people.team).exists()
    assert CredentialChange.objects.get(team=people.team).action == "deleted"


def _cancel(staff_client, *jobs):
    return staff_client.post(
        "/admin/techjobs/techjob/",
        {"action": "cancel_jobs", "_selected_action": [job.pk for job in jobs]},
        follow=True,
    )


def test_cancel_refunds_queued_job(staff_client, people):
    job, _ = make_job(people.team)

    response = _cancel(staff_client, job)

    job.refresh_from_db()
    assert job.status == TechJob.Status.CANCELLED
    assert b"Cancelled 1 job(s)." in response.content
    refund = UsageEntry.objects.get(job=job, kind=UsageEntry.Kind.REFUND)
    assert refund.ids == 3
    assert job.events.filter(source=JobEvent.Source.ADMIN).exists()


def test_cancel_skips_finished_job(staff_client, people):
    job, _ = make_job(people.team, status=TechJob.Status.RESULTS_READY)

    response = _cancel(staff_client, job)

    job.refresh_from_db()
    assert job.status == TechJob.Status.RESULTS_READY
    assert b"Not cancelled" in response.content


def test_cancel_deletes_accepted_job_at_api(staff_client, people, own_simulator):
    # Jobs stay accepted long enough to cancel them.
    own_simulator("--accepted-seconds", "60", name="cancel-simulator")
    credential = people.credential
    client = InsideViewClient(credential)
    answer = client.submit(["736233", "781163", "724468"], "http://127.0.0.1:9/")
    job, _ = make_job(
        people.team,
        status=TechJob.Status.ACCEPTED,
        insideview_job_id=answer.job_id,
    )

    _cancel(staff_client, job)

    job.refresh_from_db()
    assert job.status == TechJob.Status.ABORTED
    assert client.status(answer.job_id).status == "aborted"
    assert UsageEntry.objects.filter(job=job, kind=UsageEntry.Kind.REFUND).exists()


def _membership_data(team, roles):
    """Bind the team's membership inline with each member's role from `roles`."""
    memberships = list(team.memberships.order_by("pk"))
    data = {
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, membership in enumerate(memberships):
        data[f"memberships-{index}-id"] = str(membership.pk)
        data[f"memberships-{index}-team"] = str(team.pk)
        data[f"memberships-{index}-user"] = str(membership.user_id)
        data[f"memberships-{index}-role"] = roles.get(
            membership.user.email, membership.role
        )
    return data


def test_team_admin_keeps_an_owner(rf, people):
    from django.contrib.admin.sites import site

    from accounts.admin import MembershipInline
    from accounts.models import Team

    request = rf.post("/")
    request.user = people.alice
    inline = MembershipInline(Team, site)
    formset_class = inline.get_formset(request, people.team)

    demoted = formset_class(
        _membership_data(people.team, {"alice@example.com": "member"}),
        instance=people.team,
        prefix="memberships",
    )
    handed_over = formset_class(
        _membership_data(
            people.team, {"alice@example.com": "member", "bob@example.com": "owner"}
        ),
        instance=people.team,
        prefix="memberships",
    )

    assert not demoted.is_valid()
    assert "at least one owner" in str(demoted.non_form_errors())
    assert handed_over.is_valid(), handed_over.errors
