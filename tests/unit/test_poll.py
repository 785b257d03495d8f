"""The beat's poll queues each due task once, however often it runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from techjobs import tasks
from techjobs.models import TechJob
from tests.factories import make_job

S = TechJob.Status


@pytest.fixture
def queued(monkeypatch):
    """Record the tasks poll_stale_jobs queues instead of sending them."""
    calls = []
    for name in ("refresh_job", "fetch_results", "submit_job", "dispatch_team"):
        task = getattr(tasks, name)
        monkeypatch.setattr(
            task, "delay", lambda *args, _name=name: calls.append((_name, args[0]))
        )
    return calls


def test_due_check_queued_once(people, queued):
    past = timezone.now() - timedelta(seconds=5)
    job, _ = make_job(
        people.team, status=S.PROCESSING, insideview_job_id="a1", next_check_at=past
    )

    tasks.poll_stale_jobs()
    tasks.poll_stale_jobs()

    assert queued == [("refresh_job", job.pk)]
    job.refresh_from_db()
    assert job.next_check_at > timezone.now()


def test_stalled_results_queued_once(people, queued):
    past = timezone.now() - timedelta(minutes=5)
    job, _ = make_job(
        people.team,
        status=S.FINISHED,
        insideview_job_id="a2",
        status_changed_at=past,
        next_check_at=past,
    )

    tasks.poll_stale_jobs()
    tasks.poll_stale_jobs()

    assert queued == [("fetch_results", job.pk)]


def test_stuck_submission_sent_again_once(people, queued, settings):
    settings.JOB_SUBMIT_TIME_LIMIT = 10
    claimed_at = timezone.now() - timedelta(seconds=16)
    job, _ = make_job(people.team, status=S.SUBMITTING, status_changed_at=claimed_at)

    tasks.poll_stale_jobs()
    tasks.poll_stale_jobs()

    assert queued == [("submit_job", job.pk)]


def test_recent_submission_left_alone(people, queued, settings):
    settings.JOB_SUBMIT_TIME_LIMIT = 10
    claimed_at = timezone.now() - timedelta(seconds=5)
    make_job(people.team, status=S.SUBMITTING, status_changed_at=claimed_at)

    tasks.poll_stale_jobs()

    assert queued == []
