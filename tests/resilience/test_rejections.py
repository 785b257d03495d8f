"""Requests the API rejects for good: the job ends rejected, nothing is retried."""

import pytest

from techjobs.models import JobEvent, TechJob, UsageEntry
from tests.resilience.support import confirm, run_until_ended

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SIMULATOR_ARGS = (
    "--account", "poor-client:poor-secret:2",
    "--disabled-account", "blocked-client:blocked-secret",
)  # fmt: skip


def _use_account(people, client_id, secret):
    people.credential.client_id = client_id
    people.credential.set_client_secret(secret)
    people.credential.save()


@pytest.mark.parametrize(
    ("client_id", "secret", "error_number"),
    [
        ("poor-client", "poor-secret", "400-110"),
        ("blocked-client", "blocked-secret", "405-1"),
    ],
)
def test_rejected_job_refunded(people, hostile, client_id, secret, error_number):
    _use_account(people, client_id, secret)
    jobs = confirm(people, ["736233", "781163", "724468"])

    run_until_ended(jobs)

    job = jobs[0]
    assert job.status == TechJob.Status.REJECTED
    assert job.error_number == error_number
    assert job.last_error
    assert job.events.filter(kind=JobEvent.Kind.API_ERROR).count() == 1
    kinds = sorted(UsageEntry.objects.filter(job=job).values_list("kind", flat=True))
    assert kinds == [UsageEntry.Kind.REFUND, UsageEntry.Kind.RESERVE]
    assert hostile.jobs_for_ids(job.ids) == []
