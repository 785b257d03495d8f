"""Pages, the upload flow and team scoping, through the test client."""

import pytest

from accounts.models import User
from techjobs import ledger
from techjobs.lifecycle import transition
from techjobs.models import TechJob, Upload, UsageEntry
from tests.factories import make_job

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def bob_client(client, people):
    client.force_login(people.bob)
    return client


def _preview(client, text):
    return client.post("/jobs/new/preview/", {"ids": text}, headers=HTMX)


def _token(response):
    return response.context["confirm_form"].initial["preview_token"]


@pytest.mark.parametrize("url", ["/", "/jobs/new/", "/admin/"])
def test_pages_need_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_login_page_and_health_are_public(client):
    assert client.get("/accounts/login/").status_code == 200


def test_dashboard_shows_usage(bob_client, people):
    response = bob_client.get("/")

    assert response.status_code == 200
    assert b"100,000 left" in response.content


def test_preview_counts_and_dedups(bob_client):
    response = _preview(bob_client, "736233, 781163\n724468\n736233\n")

    assert response.status_code == 200
    report = response.context["report"]
    assert report.ids == ["736233", "781163", "724468"]
    assert report.duplicates == 1
    assert b'id="preview"' in response.content
    assert b"<html" not in response.content
    assert b"Confirm and look up 3 companies" in response.content


def test_preview_lists_invalid_lines_without_confirm(bob_client):
    response = _preview(bob_client, "736233\nacme corp\n7.36233E+05\n")

    content = response.content.decode()
    assert "acme corp" in content
    assert "Line" in content
    assert (
        "confirm" not in response.context
        or response.context.get("confirm_form") is None
    )
    assert 'id="confirm"' not in content


def test_preview_of_nothing_asks_for_ids(bob_client):
    response = _preview(bob_client, "   \n")

    assert b"Paste some company ids or choose a file first." in response.content


def test_preview_without_htmx_renders_whole_page(bob_client):
    response = bob_client.post("/jobs/new/preview/", {"ids": "736233"})

    assert b"<html" in response.content
    assert b"Confirm and look up 1 company" in response.content


def test_preview_creates_nothing(bob_client, people):
    _preview(bob_client, "736233,781163")

    assert not Upload.objects.exists()
    assert not UsageEntry.objects.exists()


def test_confirm_creates_upload_job_and_reservation(
    bob_client, people, django_capture_on_commit_callbacks
):
    token = _token(_preview(bob_client, "736233,781163,724468"))

    with django_capture_on_commit_callbacks() as callbacks:
        response = bob_client.post(
            "/jobs/new/confirm/", {"preview_token": token}, headers=HTMX
        )

    upload = Upload.objects.get()
    job = upload.jobs.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == job.get_absolute_url()
    assert upload.ids == ["736233", "781163", "724468"]
    assert upload.created_by == people.bob
    assert job.status == TechJob.Status.QUEUED
    assert ledger.usage(people.team)["reserved"] == 3
    assert len(callbacks) == 1


def test_double_confirm_creates_one_upload(bob_client):
    token = _token(_preview(bob_client, "736233"))

    first = bob_client.post(
        "/jobs/new/confirm/", {"preview_token": token}, headers=HTMX
    )
    second = bob_client.post(
        "/jobs/new/confirm/", {"preview_token": token}, headers=HTMX
    )

    assert Upload.objects.count() == 1
    assert first["HX-Redirect"] == second["HX-Redirect"]


def test_confirm_with_unknown_token_creates_nothing(bob_client):
    _preview(bob_client, "736233")

    response = bob_client.post(
        "/jobs/new/confirm/", {"preview_token": "00000000-0000-0000-0000-000000000000"}
    )

    assert response.status_code == 302
    assert not Upload.objects.exists()


def test_list_over_monthly_quota_is_refused(bob_client, people):
    people.team.quota_row.monthly_ids = 2
    people.team.quota_row.save()

    response = _preview(bob_client, "736233,781163,724468")

    assert response.context["fits"] is False
    assert b"needs 3 company ids but the team has 2 of its 2 left" in response.content
    assert response.context.get("confirm_form") is None


def test_quota_used_between_preview_and_confirm_is_refused(bob_client, people):
    token = _token(_preview(bob_client, "736233,781163,724468"))
    people.team.quota_row.monthly_ids = 2
    people.team.quota_row.save()

    response = bob_client.post(
        "/jobs/new/confirm/", {"preview_token": token}, follow=True
    )

    assert not Upload.objects.exists()
    assert b"needs 3 company ids but the team has 2 of its 2 left" in response.content


def test_viewer_can_not_submit(client, people):
    client.force_login(people.vera)

    page = client.get("/jobs/new/")
    preview = client.post("/jobs/new/preview/", {"ids": "736233"})

    assert page.status_code == 403
    assert b"you can review results but not submit lists" in page.content
    assert preview.status_code == 403
    assert not Upload.objects.exists()


def test_user_in_no_team_is_told_so(client, people):
    loner = User.objects.create_user("loner@example.com", "pw-12345678")
    client.force_login(loner)

    response = client.get("/")

    assert response.status_code == 403
    assert b"You are not in a team yet" in response.content


def test_other_teams_job_is_404_everywhere(client, people):
    job, _ = make_job(people.team, status=TechJob.Status.RESULTS_READY)
    client.force_login(people.olga)

    for url in [
        job.get_absolute_url(),
        f"{job.get_absolute_url()}results.csv",
        job.upload.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers=HTMX).status_code == 404, url


def test_job_page_polls_until_ended(bob_client, people):
    running, _ = make_job(people.team, status=TechJob.Status.PROCESSING)

    polling = bob_client.get(running.get_absolute_url(), headers=HTMX)
    TechJob.objects.filter(pk=running.pk).update(status=TechJob.Status.RESULTS_READY)
    stopped = bob_client.get(running.get_absolute_url(), headers=HTMX)

    assert polling.status_code == 200
    assert b'hx-trigger="every 2s"' in polling.content
    assert stopped.status_code == 286
    assert b'hx-trigger="every 2s"' not in stopped.content


def test_htmx_history_restore_gets_whole_page(bob_client, people):
    job, _ = make_job(people.team, status=TechJob.Status.PROCESSING)

    response = bob_client.get(
        job.get_absolute_url(), headers={**HTMX, "HX-History-Restore-Request": "true"}
    )

    assert b"<html" in response.content


def test_failed_job_says_ids_were_returned(bob_client, people):
    job, _ = make_job(people.team, status=TechJob.Status.SUBMITTING)
    transition(job, TechJob.Status.REJECTED, source="worker", last_error="Bad ids.")

    response = bob_client.get(job.get_absolute_url())

    assert b"InsideView rejected this job: Bad ids." in response.content
    assert b"Its 3 ids were returned to the team's quota." in response.content


def test_failed_job_after_processing_says_ids_count(bob_client, people):
    job, _ = make_job(people.team, status=TechJob.Status.ACCEPTED)
    transition(job, TechJob.Status.PROCESSING, source="worker")
    transition(job, TechJob.Status.FAILED, source="worker", last_error="Lost.")

    response = bob_client.get(job.get_absolute_url())

    assert b"This job failed: Lost." in response.content
    assert b"its 3 ids count against this month" in response.content


def test_new_list_from_job_prefills_its_ids(bob_client, people):
    job, _ = make_job(people.team, status=TechJob.Status.FAILED)

    response = bob_client.get(f"/jobs/new/?job={job.code}")

    assert response.context["form"].initial["ids"] == "736233\n781163\n724468"


@pytest.mark.parametrize(
    "value", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"]
)
def test_new_list_from_unknown_job_is_404(bob_client, value):
    assert bob_client.get(f"/jobs/new/?job={value}").status_code == 404


def test_new_list_from_other_teams_job_is_404(bob_client, people):
    job, _ = make_job(people.other_team, status=TechJob.Status.FAILED)

    assert bob_client.get(f"/jobs/new/?job={job.code}").status_code == 404


def test_team_without_credentials_can_not_confirm(bob_client, people):
    people.credential.delete()

    response = _preview(bob_client, "736233")

    assert b"This team has no InsideView credentials yet" in response.content
    assert response.context.get("confirm_form") is None


def test_previews_in_two_tabs_can_each_be_confirmed(bob_client):
    first = _token(_preview(bob_client, "736233"))
    second = _token(_preview(bob_client, "781163"))

    bob_client.post("/jobs/new/confirm/", {"preview_token": first})
    bob_client.post("/jobs/new/confirm/", {"preview_token": second})

    assert sorted(Upload.objects.values_list("ids", flat=True)) == [
        ["736233"],
        ["781163"],
    ]


def test_upload_report_does_not_repeat_the_ids(bob_client):
    token = _token(_preview(bob_client, "736233,781163"))

    bob_client.post("/jobs/new/confirm/", {"preview_token": token})

    upload = Upload.objects.get()
    assert upload.ids == ["736233", "781163"]
    assert "ids" not in upload.report
    assert upload.report["duplicates"] == 0
