"""Uploading files and oversized input through the preview view."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from techjobs.models import TechJob, TechResult, Upload
from techjobs.parsing import MAX_UPLOAD_BYTES
from tests.factories import make_job

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def bob_client(client, people):
    client.force_login(people.bob)
    return client


def _upload(client, name, content):
    return client.post(
        "/jobs/new/preview/", {"file": SimpleUploadedFile(name, content)}, headers=HTMX
    )


def test_csv_file_with_header_uses_named_column(bob_client):
    content = b"Company Name,Company ID\r\nAcme,736233\r\nGlobex,781163\r\n"

    response = _upload(bob_client, "crm-export.csv", content)

    report = response.context["report"]
    assert report.ids == ["736233", "781163"]
    assert report.column == "Company ID"
    assert report.source == "crm-export.csv"
    assert b"Company ID" in response.content


def test_xlsx_file_is_read(bob_client):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["companyId"])
    sheet.append(["736233"])
    sheet.append(["724468"])
    data = io.BytesIO()
    workbook.save(data)

    response = _upload(bob_client, "list.xlsx", data.getvalue())

    assert response.context["report"].ids == ["736233", "724468"]


def test_oversized_file_gets_message_with_size(bob_client):
    content = b"7362330\n" * (1024 * 1024)  # 8 MB, past the 5 MB cap

    response = _upload(bob_client, "huge.csv", content)

    assert len(content) > MAX_UPLOAD_BYTES
    assert response.status_code == 200
    assert b"huge.csv is 8.0 MB, which is over the 5 MB limit" in response.content
    assert "report" not in response.context


def test_oversized_paste_gets_message(bob_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

    response = bob_client.post(
        "/jobs/new/preview/", {"ids": "736233," * 200_000}, headers=HTMX
    )

    assert response.status_code == 200
    assert b"The pasted list is over 1.0\xc2\xa0MB" in response.content
    assert not Upload.objects.exists()


def test_binary_file_is_rejected_plainly(bob_client):
    response = _upload(bob_client, "ids.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(200))

    assert response.status_code == 200
    assert response.context["rejection"]
    assert "report" not in response.context


def test_paste_and_file_together_ask_for_one(bob_client):
    response = bob_client.post(
        "/jobs/new/preview/",
        {"ids": "736233", "file": SimpleUploadedFile("a.csv", b"781163")},
        headers=HTMX,
    )

    assert b"Paste ids or choose a file, not both." in response.content


def test_expired_session_htmx_request_goes_to_login(client, people):
    response = client.post(
        "/jobs/new/preview/",
        {"ids": "736233"},
        headers={**HTMX, "HX-Current-URL": "http://testserver/jobs/new/"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/jobs/new/"
    login = client.get(response["HX-Redirect"])
    assert b"Your session has expired" in login.content


def test_upload_csv_merges_its_jobs(bob_client, people):
    job, _ = make_job(people.team, ["736233"], status=TechJob.Status.RESULTS_READY)
    second = TechJob.objects.create(
        team=people.team,
        upload=job.upload,
        sequence=2,
        ids=["781163"],
        id_count=1,
        status=TechJob.Status.RESULTS_READY,
        webhook_token_hash="x" * 64,
    )
    TechResult.objects.create(job=job, company_id="736233", product="nginx")
    TechResult.objects.create(job=second, company_id="781163", product="HubSpot")

    response = bob_client.get(f"{job.upload.get_absolute_url()}results.csv")

    body = b"".join(response.streaming_content).decode()
    assert (
        body.splitlines()[0] == "company_id,category,sub_category,product,vendor,status"
    )
    assert "736233,,,nginx" in body
    assert "781163,,,HubSpot" in body


def test_upload_page_shows_progress(bob_client, people):
    job, _ = make_job(people.team, status=TechJob.Status.PROCESSING, total_processed=2)

    response = bob_client.get(job.upload.get_absolute_url())

    assert b"2 of 3 ids processed" in response.content
    assert b'hx-trigger="every 3s"' in response.content


def test_empty_file_gets_one_plain_message(bob_client):
    response = _upload(bob_client, "empty.csv", b"")

    content = response.content.decode()
    assert "The submitted file is empty." in content
    assert "Paste some company ids" not in content
