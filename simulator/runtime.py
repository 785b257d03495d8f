"""The running simulator's components, built once per server process."""

from dataclasses import dataclass

from simulator.config import SimulatorConfig
from simulator.scenario import SCENARIOS, Scenario
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


_current = None


def start(config):
    """Build the components for `config` and start the scheduler thread."""
    global _current

    store = Store(config)
    scenario = SCENARIOS[config.scenario]()
    webhooks = WebhookSender(config.webhook_secret, config.webhook_backoff_seconds)
    scheduler = Scheduler(store, webhooks, scenario)
    scheduler.start()
    _current = Runtime(config, store, scenario, webhooks, scheduler)
    return _current


def current():
    if _current is None:
        raise RuntimeError("The simulator runtime is not started: call start() first.")
    return _current
