"""In-memory accounts, access tokens and jobs of one simulator process.

Every change goes through Store while holding Store.lock, because gunicorn serves
requests from several threads and the scheduler thread moves jobs on.
Lifecycle times use time.monotonic(); dates shown to clients use UTC wall time.
"""

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from simulator import errors
from simulator.ids import random_id
from simulator.throttle import Throttle

JOB_TYPE = "techProfileFetch"

# API names reported by /admin/usage. InsideView's list of names is not public.
BULK_API = "techProfileFetch"
PROFILE_API = "companyTechProfile"


class JobStatus(StrEnum):
    ACCEPTED = "accepted"
    PROCESSING = "processing"
    FINISHED = "finished"
    FAILED = "failed"
    ABORTED = "aborted"

    @property
    def code(self):
        """Return the numeric code the /admin/jobs filter uses for this status."""
        return _STATUS_CODES[self]


_STATUS_CODES = {
    JobStatus.FAILED: 0,
    JobStatus.ACCEPTED: 1,
    JobStatus.PROCESSING: 2,
    JobStatus.FINISHED: 3,
    JobStatus.ABORTED: 4,
}

ACTIVE_STATUSES = (JobStatus.ACCEPTED, JobStatus.PROCESSING)


def utc_now():
    return datetime.now(UTC)


def month_key(moment):
    return moment.strftime("%Y-%m")


@dataclass(eq=False)
class Account:
    client_id: str
    client_secret: str
    monthly_credits: int
    tech_profile_enabled: bool
    # "YYYY-MM" -> transactions debited in that month
    consumed: dict = field(default_factory=dict)
    # ("YYYY-MM-DD", API name) -> transactions debited that day
    usage: dict = field(default_factory=dict)
    # Maximum number of the account's jobs accepted or processing at one time
    peak_active_jobs: int = 0

    def credits_left(self, moment):
        return self.monthly_credits - self.consumed.get(month_key(moment), 0)

    def debit(self, api, transactions, moment):
        month = month_key(moment)
        self.consumed[month] = self.consumed.get(month, 0) + transactions
        day = (moment.strftime("%Y-%m-%d"), api)
        self.usage[day] = self.usage.get(day, 0) + transactions


@dataclass(eq=False)
class Token:
    value: str
    account: Account
    expires_at: datetime
    # When the token stops working. It is expires_at unless a fault makes the
    # token expire before the time its expirationTime states.
    usable_until: datetime | None = None

    def is_usable(self, moment):
        return moment < min(self.expires_at, self.usable_until or self.expires_at)


@dataclass(eq=False)
class Job:
    job_id: str
    account: Account
    company_ids: tuple[str, ...]
    webhook: str | None
    created_at: datetime
    accepted_at: float
    status: JobStatus = JobStatus.ACCEPTED
    total_processed: int = 0
    credits_consumed: int = 0
    processing_started_at: float | None = None
    failure_reason: str | None = None
    results_csv: str | None = None

    def status_body(self):
        return {
            "jobId": self.job_id,
            "status": str(self.status),
            "totalProcessed": self.total_processed,
            "type": JOB_TYPE,
        }


@dataclass(frozen=True)
class StatusChange:
    """A job status change, with the status body as it was at that moment."""

    job_id: str
    webhook: str | None
    body: dict


class Store:
    def __init__(self, config):
        self.config = config
        self.lock = threading.RLock()
        self.accounts = {
            spec.client_id: Account(
                spec.client_id,
                spec.client_secret,
                spec.monthly_credits,
                spec.tech_profile_enabled,
            )
            for spec in config.accounts
        }
        self._tokens = {}
        # NOTE: jobs and their results stay until the process exits. The real API's
        # retention period is not public, so nothing expires them yet.
        self._jobs = {}  # job id -> Job, in creation order
        self._events = []
        self._throttle = Throttle(
            config.requests_per_window, config.throttle_window_seconds
        )

    def issue_token(
        self, client_id, client_secret, lifetime_seconds, usable_seconds=None
    ):
        """Return a new access token, or raise ApiError 401 for bad credentials.

        The token stops working after `usable_seconds` when that is given.
        """
        with self.lock:
            account = self.accounts.get(client_id)
            if account is None or not secrets.compare_digest(
                account.client_secret.encode(), client_secret.encode()
            ):
                raise errors.bad_credentials()

            now = utc_now()
            self._tokens = {
                value: token
                for value, token in self._tokens.items()
                if token.is_usable(now)
            }
            usable_until = None
            if usable_seconds is not None:
                usable_until = now + timedelta(seconds=usable_seconds)
            token = Token(
                secrets.token_urlsafe(32),
                account,
                now + timedelta(seconds=lifetime_seconds),
                usable_until,
            )
            self._tokens[token.value] = token
            return token

    def authorize(self, token_value, monotonic_now):
        """Return the account of a valid access token and count the request.

        Raises ApiError 401 for a missing, unknown or expired token and 429 while
        the account is throttled.
        """
        with self.lock:
            token = self._tokens.get(token_value or "")
            if token is None or not token.is_usable(utc_now()):
                raise errors.unauthorized()

            account = token.account
            if not self._throttle.allow(account.client_id, token.value, monotonic_now):
                wait = self._throttle.seconds_locked(account.client_id, monotonic_now)
                raise errors.throttled(retry_after=wait)
            return account

    def submit_job(self, account, company_ids, webhook, monotonic_now):
        with self.lock:
            active = [
                job for job in self.jobs_of(account) if job.status in ACTIVE_STATUSES
            ]
            limit = self.config.max_processing_jobs + self.config.max_waiting_jobs
            if len(active) >= limit:
                raise errors.too_many_jobs()

            # Waiting jobs are debited only when they start. Their ids are set aside
            # here, so a job accepted now can always be paid for later.
            now = utc_now()
            waiting = sum(
                len(job.company_ids)
                for job in active
                if job.status == JobStatus.ACCEPTED
            )
            left = max(account.credits_left(now) - waiting, 0)
            if len(company_ids) > left:
                raise errors.not_enough_credits(len(company_ids), left)

            job = Job(
                job_id=self._new_job_id(),
                account=account,
                company_ids=tuple(company_ids),
                webhook=webhook,
                created_at=now,
                accepted_at=monotonic_now,
            )
            self._jobs[job.job_id] = job
            account.peak_active_jobs = max(account.peak_active_jobs, len(active) + 1)
            return job

    def find_job(self, account, job_id):
        with self.lock:
            job = self._jobs.get(job_id)
            if job is None or job.account is not account:
                raise errors.job_not_found()
            return job

    def find_job_by_id(self, job_id):
        with self.lock:
            return self._jobs.get(job_id)

    def all_jobs(self):
        """Return every job, oldest first."""
        with self.lock:
            return list(self._jobs.values())

    def jobs_of(self, account):
        with self.lock:
            return [job for job in self._jobs.values() if job.account is account]

    def active_jobs(self):
        """Return accepted and processing jobs, oldest first."""
        with self.lock:
            return [job for job in self._jobs.values() if job.status in ACTIVE_STATUSES]

    def cancel_job(self, account, job_id):
        with self.lock:
            job = self.find_job(account, job_id)
            if job.status != JobStatus.ACCEPTED:
                raise errors.job_not_cancellable(job.status)
            self._set_status(job, JobStatus.ABORTED)
            return job

    def start_processing(self, job, monotonic_now):
        """Move an accepted job to processing and debit one transaction per id."""
        with self.lock:
            job.account.debit(BULK_API, len(job.company_ids), utc_now())
            job.credits_consumed = len(job.company_ids)
            job.processing_started_at = monotonic_now
            self._set_status(job, JobStatus.PROCESSING)

    def update_progress(self, job, total_processed):
        with self.lock:
            job.total_processed = total_processed

    def finish_job(self, job, failure_reason=None):
        with self.lock:
            if failure_reason is None:
                job.total_processed = len(job.company_ids)
                self._set_status(job, JobStatus.FINISHED)
            else:
                job.failure_reason = failure_reason
                self._set_status(job, JobStatus.FAILED)

    def charge(self, account, api, transactions):
        """Debit transactions for a synchronous call, or raise ApiError 400."""
        with self.lock:
            now = utc_now()
            left = account.credits_left(now)
            if transactions > left:
                raise errors.not_enough_credits(transactions, max(left, 0))
            account.debit(api, transactions, now)

    def take_status_changes(self):
        """Return and forget the status changes recorded since the last call."""
        with self.lock:
            events, self._events = self._events, []
            return events

    def _set_status(self, job, status):
        job.status = status
        self._events.append(StatusChange(job.job_id, job.webhook, job.status_body()))

    def _new_job_id(self):
        job_id = random_id()
        while job_id in self._jobs:
            job_id = random_id()
        return job_id
