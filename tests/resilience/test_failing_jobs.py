"""Jobs that fail at InsideView, seen only by polling."""

import pytest

from techjobs.models import TechJob
from tests.resilience.support import assert_matches_simulator, confirm, run_until_ended

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SIMULATOR_ARGS = ("--job-failure-rate", "1", "--webhook-drop-rate", "1")


def test_failed_job_consumes_its_ids(people, hostile):
    jobs = confirm(people, ["736233", "781163", "724468"])

    run_until_ended(jobs)

    job = jobs[0]
    assert job.status == TechJob.Status.FAILED
    # InsideView debits a job when it starts processing, so a failed job
    # costs its ids even when techjobs never saw it processing.
    assert_matches_simulator(hostile, job)
