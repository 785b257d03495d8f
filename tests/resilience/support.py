"""Helpers for running jobs against a faulty simulator and checking the outcome."""

import collections
import signal
import uuid

import requests

from techjobs import services
from techjobs.models import TechJob, TechResult, UsageEntry
from techjobs.tasks import poll_stale_jobs
from tests.conftest import start_worker
from tests.support import wait_until

# The simulator's final job statuses and the techjobs status each must end in.
EXPECTED_STATUS = {
    "finished": TechJob.Status.RESULTS_READY,
    "failed": TechJob.Status.FAILED,
    "aborted": TechJob.Status.ABORTED,
}


class FaultyApi:
    """A running faulty simulator, the worker that uses it, and its inspection."""

    def __init__(self, url, worker, worker_env, public_base_url, name):
        self.url = url
        self.worker = worker
        self.worker_env = worker_env
        self.public_base_url = public_base_url
        self.name = name
        self.restarts = 0

    def kill_worker(self):
        """Kill the worker and all its pool processes with SIGKILL, mid-task."""
        self.worker.stop(sig=signal.SIGKILL)

    def restart_worker(self):
        """Start a new worker on the same queue, keeping the tasks and locks
        the killed one left in Redis."""
        self.restarts += 1
        self.worker = start_worker(
            self.url,
            self.public_base_url,
            name=f"worker-{self.name}-{self.restarts}",
            env=self.worker_env,
            flush=False,
        )

    def simulator_jobs(self):
        response = requests.get(f"{self.url}/simulator/jobs", timeout=10)
        response.raise_for_status()
        return response.json()

    def simulator_job(self, job_id):
        response = requests.get(f"{self.url}/simulator/jobs/{job_id}", timeout=10)
        response.raise_for_status()
        return response.json()

    def jobs_for_ids(self, ids):
        """Return the simulator's jobs that were submitted with exactly these ids."""
        return [
            job
            for job in self.simulator_jobs()["jobs"]
            if job["companyIds"] == list(ids)
        ]


def confirm(people, ids):
    upload = services.confirm_upload(
        team=people.team,
        user=people.bob,
        ids=ids,
        source="paste",
        report={"source": "paste"},
        preview_token=uuid.uuid4(),
    )
    return list(upload.jobs.order_by("sequence"))


def run_until_ended(jobs, *, timeout=40):
    """Run the beat's poll until every job has ended, as beat would every second."""

    def all_ended():
        poll_stale_jobs()
        for job in jobs:
            job.refresh_from_db()
        return all(job.has_ended for job in jobs)

    wait_until(all_ended, timeout=timeout, interval=1, message="every job to end")


def stored_rows(job):
    return collections.Counter(
        TechResult.objects.filter(job=job).values_list(
            "company_id", "category", "sub_category", "product", "vendor", "status"
        )
    )


def simulator_rows(simulator_job):
    return collections.Counter(
        (
            row["companyId"],
            row["categoryName"],
            row["subCategoryName"],
            row["productName"],
            row["vendorName"],
            row["status"],
        )
        for row in simulator_job["results"]
    )


def assert_matches_simulator(api, job):
    """Check the job's status, results and ledger against the simulator's truth."""
    assert job.insideview_job_id
    truth = api.simulator_job(job.insideview_job_id)
    assert job.status == EXPECTED_STATUS[truth["status"]], truth

    if job.status == TechJob.Status.RESULTS_READY:
        assert stored_rows(job) == simulator_rows(truth)

    ledger = collections.Counter(
        UsageEntry.objects.filter(job=job).values_list("kind", flat=True)
    )
    consumed = truth["creditsConsumed"] > 0
    expected_kind = UsageEntry.Kind.CONSUME if consumed else UsageEntry.Kind.REFUND
    assert ledger == {UsageEntry.Kind.RESERVE: 1, expected_kind: 1}
