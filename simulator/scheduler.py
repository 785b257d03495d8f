"""Background thread that moves jobs through accepted, processing and finished.

A job waits at least `accepted_seconds` in accepted, then starts processing once
its account has fewer than `max_processing_jobs` jobs processing. Waiting jobs
start oldest first. Processing takes `processing_seconds`, during which
totalProcessed grows linearly. Every status change is sent to the job's webhook,
unless the scenario drops, repeats, delays or holds back the delivery.
"""

import logging
import threading
import time

from simulator.state import JobStatus

logger = logging.getLogger(__name__)

TICK_SECONDS = 0.05


class Scheduler:
    def __init__(self, store, webhooks, scenario):
        self.store = store
        self.webhooks = webhooks
        self.scenario = scenario
        self.config = store.config
        self._stopping = threading.Event()
        self._thread = None
        # job id -> [(StatusChange, Delivery)] held back until its next change
        self._held = {}

    def start(self):
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self):
        while not self._stopping.wait(TICK_SECONDS):
            try:
                self.step(time.monotonic())
            except Exception:
                logger.exception("Scheduler step failed")

    def step(self, now):
        """Apply every transition due at monotonic time `now`, then send webhooks."""
        with self.store.lock:
            self._advance_processing(now)
            self._start_waiting(now)
            changes = self.store.take_status_changes()

        for change in changes:
            self._announce(change)

    def _advance_processing(self, now):
        duration = self.config.processing_seconds
        for job in self.store.active_jobs():
            if job.status != JobStatus.PROCESSING:
                continue

            elapsed = now - job.processing_started_at
            if elapsed >= duration:
                self.store.finish_job(job, self.scenario.job_failure(job))
                logger.info("Job %s ended with status %s", job.job_id, job.status)
            else:
                total = len(job.company_ids) * elapsed // duration
                self.store.update_progress(job, int(total))

    def _start_waiting(self, now):
        processing = {}
        for job in self.store.active_jobs():
            if job.status == JobStatus.PROCESSING:
                client_id = job.account.client_id
                processing[client_id] = processing.get(client_id, 0) + 1

        for job in self.store.active_jobs():
            client_id = job.account.client_id
            if job.status != JobStatus.ACCEPTED:
                continue
            if now - job.accepted_at < self.config.accepted_seconds:
                continue
            if processing.get(client_id, 0) >= self.config.max_processing_jobs:
                continue

            self.store.start_processing(job, now)
            processing[client_id] = processing.get(client_id, 0) + 1
            logger.info("Job %s started processing", job.job_id)

    def _announce(self, change):
        if not change.webhook:
            return
        job = self.store.find_job_by_id(change.job_id)
        company_ids = job.company_ids if job is not None else ()
        held_before = self._held.pop(change.job_id, [])
        for delivery in self.scenario.webhook_deliveries(change, company_ids):
            if delivery.held:
                self._held.setdefault(change.job_id, []).append((change, delivery))
            else:
                self._send(change, delivery)
        # Deliveries held back at an earlier status go out after this one's, so
        # the receiver gets the two statuses in the wrong order.
        for earlier, delivery in held_before:
            self._send(earlier, delivery)

    def _send(self, change, delivery):
        self.webhooks.send(
            change.webhook,
            change.body,
            job_id=change.job_id,
            delay_seconds=delivery.delay_seconds,
            in_order=delivery.in_order,
        )
