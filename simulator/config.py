"""Settings of one simulator run, filled from the command line."""

from dataclasses import dataclass

DEFAULT_MONTHLY_CREDITS = 1_000_000
DEMO_ACCOUNT = ("demo-client", "demo-secret")

ONE_YEAR_SECONDS = 365 * 24 * 3600
THROTTLE_WINDOW_SECONDS = 300


@dataclass(frozen=True)
class AccountSpec:
    client_id: str
    client_secret: str
    monthly_credits: int = DEFAULT_MONTHLY_CREDITS
    tech_profile_enabled: bool = True


@dataclass(frozen=True)
class Faults:
    """Faults to inject. The defaults inject none.

    Rates are probabilities from 0 to 1. `error_rates` pairs an HTTP status with
    the share of API calls that get it as their response.
    """

    latency_seconds: tuple[float, float] = (0.0, 0.0)
    error_rates: tuple[tuple[int, float], ...] = ()
    retry_after_seconds: float = 1.0
    webhook_drop_rate: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_delay_rate: float = 0.0
    webhook_delay_seconds: float = 2.0
    webhook_reorder_rate: float = 0.0
    token_expiry_seconds: float | None = None
    job_failure_rate: float = 0.0

    @property
    def active(self):
        return self != Faults(
            retry_after_seconds=self.retry_after_seconds,
            webhook_delay_seconds=self.webhook_delay_seconds,
        )


@dataclass(frozen=True)
class SimulatorConfig:
    accounts: tuple[AccountSpec, ...]
    accepted_seconds: float = 2.0
    processing_seconds: float = 4.0
    results_shape: str = "descriptor"
    token_lifetime_seconds: float = ONE_YEAR_SECONDS
    requests_per_window: int = 1000
    throttle_window_seconds: float = THROTTLE_WINDOW_SECONDS
    max_processing_jobs: int = 2
    max_waiting_jobs: int = 10
    results_url_lifetime_seconds: float = 24 * 3600
    webhook_secret: str | None = None
    webhook_backoff_seconds: float = 1.0
    scenario: str = "default"
    faults: Faults = Faults()
    seed: int | None = None


def parse_account(value, *, tech_profile_enabled=True):
    """Parse CLIENT_ID:CLIENT_SECRET[:MONTHLY_CREDITS] into an AccountSpec.

    Raises ValueError with a message fit for the command line.
    """
    parts = value.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValueError(
            f"invalid account {value!r}: expected CLIENT_ID:CLIENT_SECRET"
            "[:MONTHLY_CREDITS]"
        )

    credits = DEFAULT_MONTHLY_CREDITS
    if len(parts) == 3:
        if not parts[2].isdigit():
            raise ValueError(
                f"invalid monthly credits {parts[2]!r} in account {value!r}: "
                "expected a whole number"
            )
        credits = int(parts[2])

    return AccountSpec(parts[0], parts[1], credits, tech_profile_enabled)
