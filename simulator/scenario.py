"""Hook points for fault injection.

The views and the scheduler ask the active Scenario at each
point where a fault could be injected. The default scenario injects none. A fault
scenario subclasses Scenario, overrides hooks, and is added to SCENARIOS so that
`--scenario NAME` selects it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Delivery:
    """One webhook POST to make for a status change.

    The sender waits `delay_seconds` before the first attempt. Deliveries with
    `in_order` go out one after another per job, in status order. The others start
    at once in their own thread, so they can overtake.
    """

    delay_seconds: float = 0.0
    in_order: bool = True


class Scenario:
    name = "default"

    def before_request(self, request):
        """Run before an API view: may sleep, or raise ApiError to fail the call."""

    def token_lifetime(self, client_id, default_seconds):
        """Return the lifetime in seconds of a token issued to the client id."""
        return default_seconds

    def job_failure(self, job):
        """Return why a job fails when its processing ends, or None to finish it."""
        return

    def webhook_deliveries(self, change):
        """Return the Delivery list for a status change: empty drops it, two or
        more duplicate it."""
        return [Delivery()]


class FailingJobs(Scenario):
    """Every job fails when its processing ends."""

    name = "failing-jobs"

    def job_failure(self, job):
        return "Processing failed: the simulator's failing-jobs scenario is active."


SCENARIOS = {scenario.name: scenario for scenario in (Scenario, FailingJobs)}
