"""Tokens that stop working long before their stated expiry."""

import pytest

from tests.resilience.support import assert_matches_simulator, confirm, run_until_ended

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SIMULATOR_ARGS = ("--token-expiry", "0.5", "--processing-seconds", "1.5")


def test_expired_token_replaced(people, hostile):
    jobs = confirm(people, ["736233", "781163"])

    run_until_ended(jobs)

    job = jobs[0]
    assert_matches_simulator(hostile, job)
    assert "InsideView responded 401" in hostile.worker.output()
    assert "Credentials rejected" not in job.last_error
