"""429, 500 and 503 responses, with latency and Retry-After, on API calls."""

import pytest

from techjobs.models import JobEvent
from tests.resilience.support import assert_matches_simulator, confirm, run_until_ended

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SIMULATOR_ARGS = (
    "--error-rate", "429=0.2,500=0.1,503=0.1",
    "--retry-after", "1",
    "--latency", "0-0.05",
    "--seed", "1",
)  # fmt: skip


def test_jobs_survive_error_answers(people, hostile):
    people.team.quota_row.ids_per_job = 4
    people.team.quota_row.save()
    jobs = confirm(people, [str(600000 + n) for n in range(8)])

    run_until_ended(jobs, timeout=60)

    for job in jobs:
        assert_matches_simulator(hostile, job)
    errors = JobEvent.objects.filter(job__in=jobs, kind=JobEvent.Kind.API_ERROR)
    assert errors.exists()
    assert len(hostile.jobs_for_ids(jobs[0].ids)) == 1
