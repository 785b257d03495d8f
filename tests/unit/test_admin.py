"""The Django admin as site staff use it."""

import pytest

from accounts.models import ApiCredential
from techjobs.models import TechJob
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
