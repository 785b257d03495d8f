"""Webhook calls sent twice, late and out of order."""

import pytest

from techjobs.models import JobEvent
from tests.resilience.support import assert_matches_simulator, confirm, run_until_ended
from tests.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SIMULATOR_ARGS = (
    "--webhook-duplicate-rate", "1",
    "--webhook-reorder-rate", "1",
    "--webhook-delay-rate", "0.5",
    "--webhook-delay-seconds", "0.5",
)  # fmt: skip


def test_repeated_and_reordered_webhooks(people, hostile):
    jobs = confirm(people, ["736233", "781163"])
    job = jobs[0]

    run_until_ended(jobs)
    # Two copies of "finished", then two of the held-back "processing".
    wait_until(
        lambda: job.events.filter(kind=JobEvent.Kind.WEBHOOK).count() == 4,
        timeout=10,
        message="all four webhook deliveries",
    )

    job.refresh_from_db()
    assert_matches_simulator(hostile, job)
    statuses = list(
        job.events.filter(kind=JobEvent.Kind.WEBHOOK).values_list("status", flat=True)
    )
    assert statuses == ["finished", "finished", "processing", "processing"]
    transitions = job.events.filter(kind=JobEvent.Kind.TRANSITION)
    assert transitions.filter(status="results_ready").count() == 1
    assert transitions.filter(status="processing").count() == 1
