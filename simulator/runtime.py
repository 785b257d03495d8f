"""The running simulator's components, built once per server process."""

import logging
from dataclasses import dataclass

from simulator.config import SimulatorConfig
from simulator.scenario import Scenario
from simulator.scheduler import Scheduler
from simulator.state import Store
from simulator.webhooks import WebhookSender


@dataclass
class Runtime:
    config: SimulatorConfig
    store: Store
    scenario: Scenario
    webhooks: WebhookSender
    scheduler: Scheduler


logger = logging.getLogger(__name__)

_current = None


def start(config):
    """Build the components for `config` and start the scheduler thread."""
    global _current

    store = Store(config)
    scenario = Scenario(config.faults, config.seed)
    if config.faults.active:
        logger.warning(
            "Injecting faults of scenario %s with seed %d: %s",
            config.scenario,
            scenario.seed,
            config.faults,
        )
    webhooks = WebhookSender(config.webhook_secret, config.webhook_backoff_seconds)
    scheduler = Scheduler(store, webhooks, scenario)
    scheduler.start()
    _current = Runtime(config, store, scenario, webhooks, scheduler)
    return _current


def current():
    if _current is None:
        raise RuntimeError("The simulator runtime is not started: call start() first.")
    return _current
