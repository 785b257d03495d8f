"""Cancelling a job from its page, before InsideView starts processing it."""

import pytest

from techjobs.insideview import InsideViewClient
from techjobs.models import TechJob, UsageEntry
from tests.factories import make_job

pytestmark = pytest.mark.django_db

S = TechJob.Status


def _ledger(job):
    return dict(UsageEntry.objects.filter(job=job).values_list("kind", "ids"))


def test_queued_job_is_cancelled_and_refunded(client, people):
    job, _ = make_job(people.team)
    client.force_login(people.bob)

    response = client.post(f"/jobs/{job.code}/cancel/", follow=True)

    job.refresh_from_db()
    assert job.status == S.CANCELLED
    assert _ledger(job) == {"reserve": 3, "refund": 3}
    assert b"Job cancelled. Its ids went back to the quota." in response.content


def test_accepted_job_is_aborted_at_insideview(client, people, own_simulator):
    own_simulator("--accepted-seconds", "60", name="simulator-slow")
    api_job = InsideViewClient(people.credential).submit(
        ["736233"], "http://127.0.0.1:9/"
    )
    job, _ = make_job(
        people.team, ["736233"], status=S.ACCEPTED, insideview_job_id=api_job.job_id
    )
    client.force_login(people.bob)

    client.post(f"/jobs/{job.code}/cancel/")

    remote = InsideViewClient(people.credential).status(api_job.job_id)
    job.refresh_from_db()
    assert remote.status == "aborted"
    assert job.status == S.ABORTED
    assert _ledger(job) == {"reserve": 1, "refund": 1}


def test_processing_job_can_not_be_cancelled(client, people):
    job, _ = make_job(people.team, status=S.PROCESSING)
    client.force_login(people.bob)

    response = client.post(f"/jobs/{job.code}/cancel/", follow=True)

    job.refresh_from_db()
    assert job.status == S.PROCESSING
    assert b"only cancels jobs that haven&#x27;t started processing" in response.content


def test_viewer_can_not_cancel(client, people):
    job, _ = make_job(people.team)
    client.force_login(people.vera)

    response = client.post(f"/jobs/{job.code}/cancel/")

    job.refresh_from_db()
    assert response.status_code == 403
    assert job.status == S.QUEUED


def test_other_team_can_not_cancel(client, people):
    job, _ = make_job(people.team)
    client.force_login(people.olga)

    response = client.post(f"/jobs/{job.code}/cancel/")

    job.refresh_from_db()
    assert response.status_code == 404
    assert job.status == S.QUEUED


def test_cancel_button_only_while_cancellable(client, people):
    queued, _ = make_job(people.team)
    running, _ = make_job(people.team, status=S.PROCESSING)
    client.force_login(people.bob)

    assert b'id="cancel-job"' in client.get(queued.get_absolute_url()).content
    assert b'id="cancel-job"' not in client.get(running.get_absolute_url()).content
