"""Webhook POSTs for job status changes.

Each delivery runs in a background thread, so a slow or dead receiver never holds
up the scheduler. A failed attempt (connection error, timeout or non-2xx reply) is
retried up to MAX_RETRIES times with exponential backoff. Deliveries never change
job state.
"""

import hashlib
import hmac
import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

import requests

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-InsideViewAPI-AlertDataSignature"
MAX_RETRIES = 3
# (connect, read) timeouts in seconds
TIMEOUT = (3.05, 5)


def sign(body, secret):
    """Return the lowercase hex HMAC-SHA1 of the raw body, keyed with the secret."""
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


@dataclass(frozen=True)
class _Post:
    url: str
    body: bytes
    job_id: str
    delay_seconds: float


class WebhookSender:
    def __init__(self, secret=None, backoff_seconds=1.0):
        self.secret = secret
        self.backoff_seconds = backoff_seconds
        self._lock = threading.Lock()
        self._queues = {}  # job id -> deque of _Post waiting for its turn

    def send(self, url, payload, *, job_id, delay_seconds=0.0, in_order=True):
        """Queue one POST of `payload` as JSON to `url`.

        In-order posts for the same job go out one after another in call order.
        """
        body = json.dumps(payload, separators=(",", ":")).encode()
        post = _Post(url, body, job_id, delay_seconds)
        if not in_order:
            self._start(self._deliver, post)
            return

        with self._lock:
            queue = self._queues.get(job_id)
            if queue is not None:
                queue.append(post)
                return
            self._queues[job_id] = deque([post])
        self._start(self._drain, job_id)

    def _start(self, target, argument):
        thread = threading.Thread(
            target=target, args=(argument,), name="webhook", daemon=True
        )
        thread.start()

    def _drain(self, job_id):
        while True:
            with self._lock:
                queue = self._queues[job_id]
                if not queue:
                    del self._queues[job_id]
                    return
                post = queue.popleft()
            self._deliver(post)

    def _deliver(self, post):
        if post.delay_seconds:
            time.sleep(post.delay_seconds)

        headers = {
            "Content-Type": "application/json",
            "User-Agent": "insideview-simulator",
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(post.body, self.secret)

        for attempt in range(MAX_RETRIES + 1):
            if attempt:
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            try:
                response = requests.post(
                    post.url, data=post.body, headers=headers, timeout=TIMEOUT
                )
            except requests.RequestException as error:
                outcome = str(error)
            else:
                if response.ok:
                    return
                outcome = f"HTTP {response.status_code}"
            logger.warning(
                "Webhook for job %s to %s failed on attempt %d of %d: %s",
                post.job_id,
                post.url,
                attempt + 1,
                MAX_RETRIES + 1,
                outcome,
            )
        logger.error("Gave up on the webhook for job %s to %s", post.job_id, post.url)
