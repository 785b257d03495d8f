"""Fault injection.

The views and the scheduler ask the Scenario at each point where a fault could
be injected. Which faults, and how often, comes from a Faults value: a named
scenario (`--scenario NAME`) gives a preset, and the fault options change single
values of it. Without either, no fault is injected.

Every random choice comes from the run's seed. Choices about a job (whether it
fails, what happens to each of its webhooks) are drawn from the seed and the
job's company ids, so the same job meets the same fate in every run with that
seed. Choices about single API calls (latency, injected errors) come from one
seeded sequence, so with concurrent clients which call meets which choice
follows the order in which the calls arrive.
"""

import logging
import random
import threading
import time
from dataclasses import dataclass, replace
from http import HTTPStatus

from simulator import errors
from simulator.config import Faults

logger = logging.getLogger(__name__)

# Statuses after which a job sends no further webhook, so none of their
# deliveries can be held back behind a later one.
FINAL_STATUSES = ("finished", "failed", "aborted")

SCENARIOS = {
    "default": {},
    "failing-jobs": {"job_failure_rate": 1.0},
    "flaky-webhooks": {
        "webhook_drop_rate": 0.3,
        "webhook_duplicate_rate": 0.2,
        "webhook_delay_rate": 0.2,
        "webhook_reorder_rate": 0.3,
    },
    "busy-api": {
        "latency_seconds": (0.05, 0.3),
        "error_rates": ((429, 0.2), (500, 0.05), (503, 0.05)),
    },
    "hostile": {
        "latency_seconds": (0.0, 0.05),
        "error_rates": ((429, 0.10), (500, 0.05)),
        "webhook_drop_rate": 0.2,
        "webhook_duplicate_rate": 0.1,
        "webhook_delay_rate": 0.1,
        "webhook_reorder_rate": 0.1,
        "token_expiry_seconds": 120.0,
        "job_failure_rate": 0.05,
    },
}

SCENARIO_HELP = (
    "default injects no fault; failing-jobs fails every job; flaky-webhooks drops, "
    "duplicates, delays and reorders webhooks; busy-api adds latency and 429, 500 "
    "and 503 answers; hostile mixes all of them with tokens that stop working "
    "after 120 seconds and 5%% of jobs failing"
)


def scenario_faults(name, **overrides):
    """Return the Faults of a named scenario, with `overrides` replacing values.

    An `error_rates` override is merged by status into the scenario's rates.
    """
    preset = SCENARIOS[name]
    faults = Faults(**preset)
    extra_rates = overrides.pop("error_rates", None)
    faults = replace(faults, **overrides)
    if extra_rates:
        rates = dict(faults.error_rates)
        rates.update(extra_rates)
        merged = tuple(sorted((status, rate) for status, rate in rates.items() if rate))
        faults = replace(faults, error_rates=merged)
    return faults


@dataclass(frozen=True)
class Delivery:
    """One webhook POST to make for a status change.

    The sender waits `delay_seconds` before the first attempt. Deliveries with
    `in_order` go out one after another per job, in status order. The others start
    at once in their own thread, so they can overtake. A delivery `held` back goes
    out only after the deliveries of the job's next status change.
    """

    delay_seconds: float = 0.0
    in_order: bool = True
    held: bool = False


class Scenario:
    def __init__(self, faults=None, seed=None):
        self.faults = faults or Faults()
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
        self._calls = random.Random(self.seed)
        self._lock = threading.Lock()

    def before_request(self, request):
        """Run before an API view: may sleep, or raise ApiError to fail the call."""
        low, high = self.faults.latency_seconds
        error_rates = self.faults.error_rates
        if not high and not error_rates:
            return

        with self._lock:
            latency = self._calls.uniform(low, high) if high else 0.0
            draw = self._calls.random() if error_rates else 1.0
        if latency:
            time.sleep(latency)

        threshold = 0.0
        for status, rate in error_rates:
            threshold += rate
            if draw < threshold:
                logger.info(
                    "Injecting HTTP %d into %s %s", status, request.method, request.path
                )
                raise self._injected_error(status)

    def token_lifetime(self, client_id, default_seconds):
        """Return the lifetime in seconds of a token issued to the client id."""
        return default_seconds

    def token_usable_seconds(self, client_id, lifetime_seconds):
        """Return how long a token works, which may end before its stated expiry."""
        expiry = self.faults.token_expiry_seconds
        if expiry is None:
            return lifetime_seconds
        return min(expiry, lifetime_seconds)

    def job_failure(self, job):
        """Return why a job fails when its processing ends, or None to finish it."""
        rate = self.faults.job_failure_rate
        if rate and self._job_random(job.company_ids, "failure").random() < rate:
            return "Processing failed: the simulator injected this failure."
        return None

    def webhook_deliveries(self, change, company_ids=()):
        """Return the Delivery list for a status change: empty drops it, two or
        more duplicate it."""
        faults = self.faults
        rng = self._job_random(company_ids, f"webhook:{change.body['status']}")
        if rng.random() < faults.webhook_drop_rate:
            logger.info(
                "Dropping the %s webhook of job %s",
                change.body["status"],
                change.job_id,
            )
            return []

        copies = 2 if rng.random() < faults.webhook_duplicate_rate else 1
        delayed = rng.random() < faults.webhook_delay_rate
        held = (
            rng.random() < faults.webhook_reorder_rate
            and change.body["status"] not in FINAL_STATUSES
        )
        delay = faults.webhook_delay_seconds if delayed else 0.0
        return [Delivery(delay_seconds=delay, held=held) for _ in range(copies)]

    def _job_random(self, company_ids, purpose):
        # A str seed is hashed with SHA-512, so the sequence doesn't depend on
        # PYTHONHASHSEED.
        return random.Random(f"{self.seed}:{purpose}:{','.join(company_ids)}")

    def _injected_error(self, status):
        if status == 429:
            return errors.throttled(retry_after=self.faults.retry_after_seconds)
        if status == 500:
            return errors.server_error()
        return errors.injected(status, HTTPStatus(status).phrase)
