"""Celery tasks. Each takes ids, is safe to run twice and retries transient errors."""

import logging
import random
from datetime import timedelta
from functools import cache

import redis
from celery import shared_task
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Team

from . import services
from .ingest import MalformedResults, store_results
from .insideview import ApiError, InsideViewClient
from .lifecycle import apply_api_status, transition
from .models import JobEvent, TechJob

logger = logging.getLogger(__name__)

S = TechJob.Status
MAX_RETRIES = 8


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _load_job(job_id: int) -> TechJob | None:
    """Return the job, or None if it was deleted after the task was queued."""
    return TechJob.objects.select_related("team__credential").filter(pk=job_id).first()


def _retry_countdown(task, exc: ApiError) -> float:
    """Exponential backoff with jitter, never sooner than the API's Retry-After."""
    backoff = min(2**task.request.retries, 300) * random.uniform(0.5, 1.5)
    return max(backoff, exc.retry_after or 0)


def _retry(task, exc: ApiError) -> None:
    """Retry the task after a transient error; return if its retries are used up.

    Throttling is retried without a limit: it ends by itself, and a job must
    not fail because the account was busy.
    """
    countdown = _retry_countdown(task, exc)
    if exc.throttled:
        raise task.retry(countdown=countdown, exc=exc, max_retries=None) from exc
    if task.request.retries < task.max_retries:
        raise task.retry(countdown=countdown, exc=exc) from exc


@shared_task(bind=True, max_retries=MAX_RETRIES)
def dispatch_team(self, team_id: int) -> None:
    """Submit the team's queued jobs while it has free running slots."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return
    while True:
        job = services.claim_next_job(team)
        if job is None:
            return
        submit_job.delay(job.pk)


@shared_task(
    bind=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=max(
        settings.JOB_SUBMIT_TIME_LIMIT - 5, settings.JOB_SUBMIT_TIME_LIMIT * 0.8
    ),
    time_limit=settings.JOB_SUBMIT_TIME_LIMIT,
)
def submit_job(self, job_id: int) -> None:
    # Two attempts at once would create two InsideView jobs, so each takes a
    # lock and re-reads the job under it. An attempt that finds the lock taken
    # leaves the job alone. The lock expires 2 s after the attempt's hard time
    # limit, so a worker killed mid-attempt delays the job no longer than that.
    lock = _redis().lock(
        f"techjobs:submit:{job_id}", timeout=settings.JOB_SUBMIT_TIME_LIMIT + 2
    )
    if not lock.acquire(blocking=False):
        return
    try:
        _submit_locked(self, job_id)
    finally:
        lock.release()


def _submit_locked(task, job_id: int) -> None:
    job = _load_job(job_id)
    if job is None:
        return
    if job.status != S.SUBMITTING or job.insideview_job_id:
        return
    try:
        services.submit_job(job)
    except ApiError as exc:
        _retry(task, exc)
        transition(job, S.FAILED, source=JobEvent.Source.WORKER, message=str(exc))
        dispatch_team.delay(job.team_id)
        return
    if job.has_ended:
        dispatch_team.delay(job.team_id)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def refresh_job(self, job_id: int, source: str = JobEvent.Source.WORKER) -> None:
    """Ask the API for the job's status and apply it."""
    job = _load_job(job_id)
    if job is None:
        return
    if job.has_ended or not job.insideview_job_id:
        return
    if job.status == S.FINISHED:
        fetch_results.delay(job.pk)
        return

    TechJob.objects.filter(pk=job.pk).update(
        check_count=F("check_count") + 1,
        next_check_at=timezone.now() + services.poll_delay(job.check_count + 1),
    )
    try:
        answer = InsideViewClient(job.team.credential).status(job.insideview_job_id)
    except ApiError as exc:
        services.record_api_error(job, exc, source=source)
        if exc.permanent:
            if exc.status == 404:
                exc.message = (
                    f"InsideView has no record of job {job.insideview_job_id} any "
                    "more: it expired or was lost on their side."
                )
            _fail(job, exc, source=source)
            dispatch_team.delay(job.team_id)
            return
        _retry(self, exc)
        # Out of retries: the scheduled poll checks the job again later.
        logger.warning("job %s: status check failed for now: %s", job.code, exc)
        return

    JobEvent.objects.create(
        job=job,
        kind=JobEvent.Kind.POLL,
        source=source,
        status=answer.status,
        detail={"totalProcessed": answer.total_processed},
    )
    moved = apply_api_status(
        job, answer.status, total_processed=answer.total_processed, source=source
    )
    if moved:
        # News restarts the polling backoff.
        TechJob.objects.filter(pk=job.pk).update(
            check_count=0, next_check_at=timezone.now() + services.poll_delay(0)
        )
    after_status_change(job)


def after_status_change(job: TechJob) -> None:
    """Queue what a job's new status calls for: its results, or the next job."""
    if job.status == S.FINISHED:
        fetch_results.delay(job.pk)
    if job.has_ended or job.status == S.FINISHED:
        dispatch_team.delay(job.team_id)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def fetch_results(self, job_id: int) -> None:
    job = _load_job(job_id)
    if job is None:
        return
    if job.status != S.FINISHED:
        return
    try:
        content = InsideViewClient(job.team.credential).results(job.insideview_job_id)
        count = store_results(job, content)
    except ApiError as exc:
        services.record_api_error(job, exc, source=JobEvent.Source.WORKER)
        if exc.permanent:
            _fail(job, exc)
            return
        _retry(self, exc)
        # Out of retries: the scheduled poll queues the download again later.
        logger.warning("job %s: results download failed for now: %s", job.code, exc)
        return
    except MalformedResults as exc:
        error = ApiError(str(exc))
        services.record_api_error(job, error, source=JobEvent.Source.WORKER)
        _retry(self, error)
        _fail(job, error)
        return
    if count is not None:
        logger.info("job %s: %d result rows stored", job.code, count)


def _fail(job: TechJob, exc: ApiError, *, source=JobEvent.Source.WORKER) -> None:
    transition(
        job,
        S.FAILED,
        source=source,
        message=str(exc),
        error_number=exc.error_number,
        last_error=exc.message,
    )


@shared_task
def poll_stale_jobs() -> None:
    """Check running jobs whose webhook hasn't moved them, and restart stuck work.

    Each job is claimed by moving its next_check_at forward before its task is
    queued, so a backlog in the queue doesn't pile up copies of the same task.
    """
    now = timezone.now()
    due = TechJob.objects.filter(
        status__in=[S.ACCEPTED, S.PROCESSING], next_check_at__lte=now
    ).values_list("pk", "next_check_at", "check_count")
    for job_id, check_at, check_count in due[:500]:
        if _claim(job_id, check_at, now + services.poll_delay(check_count)):
            refresh_job.delay(job_id, JobEvent.Source.BEAT)

    # A finished job whose results task was lost gets another one.
    stalled = TechJob.objects.filter(
        status=S.FINISHED, status_changed_at__lte=now - services.poll_delay(0)
    ).filter(Q(next_check_at=None) | Q(next_check_at__lte=now))
    for job_id, check_at in stalled.values_list("pk", "next_check_at")[:100]:
        if _claim(job_id, check_at, now + services.poll_delay(1)):
            fetch_results.delay(job_id)

    # A submission whose worker died, or whose task was lost, is sent again
    # once no attempt can still be running: the lock of a killed attempt has
    # expired and a live one has been stopped by its hard time limit.
    retry_after = timedelta(seconds=settings.JOB_SUBMIT_TIME_LIMIT + 5)
    stuck = TechJob.objects.filter(
        status=S.SUBMITTING,
        insideview_job_id=None,
        status_changed_at__lte=now - retry_after,
    ).filter(Q(next_check_at=None) | Q(next_check_at__lte=now))
    for job_id, check_at in stuck.values_list("pk", "next_check_at")[:100]:
        if _claim(job_id, check_at, now + retry_after):
            submit_job.delay(job_id)

    waiting = TechJob.objects.filter(status=S.QUEUED).values_list("team_id", flat=True)
    for team_id in set(waiting):
        dispatch_team.delay(team_id)


def _claim(job_id: int, check_at, next_check_at) -> bool:
    """Move the job's next check from `check_at` to `next_check_at`, once.

    Returns False when another beat run, or a task, changed it first.
    """
    return bool(
        TechJob.objects.filter(pk=job_id, next_check_at=check_at).update(
            next_check_at=next_check_at
        )
    )
