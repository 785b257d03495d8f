"""Every webhook call lost: the scheduled poll alone ends the jobs."""

import pytest

from techjobs.models import JobEvent
from tests.resilience.support import assert_matches_simulator, confirm, run_until_ended

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SIMULATOR_ARGS = ("--webhook-drop-rate", "1")


def test_jobs_end_without_webhooks(people, hostile):
    jobs = confirm(people, ["736233", "781163", "724468"])

    run_until_ended(jobs)

    job = jobs[0]
    assert_matches_simulator(hostile, job)
    assert not job.events.filter(kind=JobEvent.Kind.WEBHOOK).exists()
    assert job.events.filter(kind=JobEvent.Kind.POLL, source="beat").exists()
