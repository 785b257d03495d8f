"""A worker killed with SIGKILL mid-task, and tasks that run more than once."""

import pytest

from techjobs.models import TechJob
from techjobs.tasks import fetch_results, submit_job
from tests.resilience.support import assert_matches_simulator, confirm, run_until_ended
from tests.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Each API call takes a second, so a task is still in its call when killed.
SIMULATOR_ARGS = ("--latency", "1")
SUBMIT_TIME_LIMIT = 8
WORKER_ENV = {"JOB_SUBMIT_TIME_LIMIT": str(SUBMIT_TIME_LIMIT)}


@pytest.fixture
def quick_resubmit(hostile, settings):
    settings.JOB_SUBMIT_TIME_LIMIT = SUBMIT_TIME_LIMIT
    return hostile


def test_worker_killed_mid_submit(people, quick_resubmit):
    api = quick_resubmit
    jobs = confirm(people, ["736233", "781163", "724468"])
    job = jobs[0]

    def submitting():
        job.refresh_from_db()
        return job.status == TechJob.Status.SUBMITTING

    wait_until(submitting, timeout=10, message="the worker to start submitting")

    api.kill_worker()
    api.restart_worker()
    run_until_ended(jobs, timeout=45)

    assert job.status == TechJob.Status.RESULTS_READY
    assert_matches_simulator(api, job)
    # NOTE: InsideView has no idempotency key, so an attempt killed after the
    # API accepted it leaves a second job there that techjobs never follows.
    assert len(api.jobs_for_ids(job.ids)) <= 2


def test_tasks_run_twice(people, quick_resubmit):
    api = quick_resubmit
    jobs = confirm(people, ["100001", "100002"])
    job = jobs[0]
    submit_job.delay(job.pk)
    submit_job.delay(job.pk)

    def finished():
        job.refresh_from_db()
        return job.status in (TechJob.Status.FINISHED, TechJob.Status.RESULTS_READY)

    wait_until(finished, timeout=30, interval=0.05, message="the job to finish")
    fetch_results.delay(job.pk)
    fetch_results.delay(job.pk)
    run_until_ended(jobs)

    assert_matches_simulator(api, job)
    assert len(api.jobs_for_ids(job.ids)) == 1
