"""Whole jobs through a real worker, Redis, PostgreSQL and the simulator."""

import csv
import io
import uuid

import pytest
import requests

from simulator.catalogue import tech_profile
from techjobs import services
from techjobs.models import JobEvent, TechJob, TechResult, Upload, UsageEntry
from techjobs.tasks import poll_stale_jobs
from tests.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EXAMPLE_IDS = ["736233", "781163", "724468"]


def _confirm(people, ids, token):
    return services.confirm_upload(
        team=people.team,
        user=people.bob,
        ids=ids,
        source="paste",
        report={"source": "paste"},
        preview_token=token,
    )


def _wait_for_end(job: TechJob, timeout=45):
    def ended():
        job.refresh_from_db()
        return job.has_ended

    wait_until(ended, timeout=timeout, interval=0.2, message=f"job {job.code} to end")


def _expected_rows(ids):
    rows = set()
    for company_id in ids:
        for row in tech_profile(company_id):
            rows.add(
                (
                    row["companyId"],
                    row["categoryName"],
                    row["productName"],
                    row["vendorName"],
                )
            )
    return rows


def test_job_runs_to_results(people, celery_worker, uuid4_token):
    upload = _confirm(people, EXAMPLE_IDS, uuid4_token)
    job = upload.jobs.get()

    _wait_for_end(job)

    assert job.status == TechJob.Status.RESULTS_READY
    stored = set(
        TechResult.objects.filter(job=job).values_list(
            "company_id", "category", "product", "vendor"
        )
    )
    assert stored == _expected_rows(EXAMPLE_IDS)
    assert {row[0] for row in stored} == set(EXAMPLE_IDS)
    assert job.result_file.content
    assert job.events.filter(kind=JobEvent.Kind.WEBHOOK).exists()
    ledger = dict(UsageEntry.objects.filter(job=job).values_list("kind", "ids"))
    assert ledger == {"reserve": 3, "consume": 3}


def test_job_finishes_by_polling_without_webhook(people, celery_worker, settings):
    # Submitted here rather than by the worker, with webhook calls aimed at a
    # port nobody listens on, so only polling can move the job.
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"
    upload = Upload.objects.create(
        team=people.team,
        source="paste",
        ids=["100001", "100002"],
        preview_token=uuid.uuid4(),
    )
    job = TechJob(
        team=people.team, upload=upload, sequence=1, ids=upload.ids, id_count=2
    )
    job.issue_webhook_token()
    job.save()
    claimed = services.claim_next_job(people.team)
    services.submit_job(claimed)
    assert claimed.status == TechJob.Status.ACCEPTED

    def polled_to_end():
        poll_stale_jobs()
        job.refresh_from_db()
        return job.has_ended

    wait_until(
        polled_to_end, timeout=45, interval=0.5, message="polling to end the job"
    )
    assert job.status == TechJob.Status.RESULTS_READY
    assert job.events.filter(kind=JobEvent.Kind.POLL).exists()
    assert not job.events.filter(kind=JobEvent.Kind.WEBHOOK).exists()


def test_large_list_is_split_and_each_part_finishes(people, celery_worker, uuid4_token):
    people.team.quota_row.ids_per_job = 4
    people.team.quota_row.save()
    ids = [str(500000 + n) for n in range(10)]

    upload = _confirm(people, ids, uuid4_token)
    jobs = list(upload.jobs.order_by("sequence"))

    assert [job.id_count for job in jobs] == [4, 4, 2]
    for job in jobs:
        _wait_for_end(job, timeout=60)
        assert job.status == TechJob.Status.RESULTS_READY
    companies = set(
        TechResult.objects.filter(job__upload=upload).values_list(
            "company_id", flat=True
        )
    )
    assert companies == set(ids)


def test_results_csv_holds_every_company(people, celery_worker, uuid4_token, client):
    upload = _confirm(people, EXAMPLE_IDS, uuid4_token)
    job = upload.jobs.get()
    _wait_for_end(job)

    client.force_login(people.bob)
    response = client.get(f"/jobs/{job.code}/results.csv")

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["company_id"] for row in rows} == set(EXAMPLE_IDS)
    assert len(rows) == TechResult.objects.filter(job=job).count()


def test_health_reports_every_component(live_server, simulator_url, celery_worker):
    answer = requests.get(f"{live_server.url}/healthz", timeout=10)

    assert answer.status_code == 200
    assert answer.json()["checks"] == {
        "database": "ok",
        "broker": "ok",
        "insideview_api": "ok",
    }
