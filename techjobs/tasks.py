"""Celery tasks. Each takes ids, is safe to run twice and retries transient errors."""

import logging
import random

from celery import shared_task
from django.db.models import F
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


def _load_job(job_id: int) -> TechJob | None:
    """Return the job, or None if it was deleted after the task was queued."""
    return TechJob.objects.select_related("team__credential").filter(pk=job_id).first()


def _retry_countdown(task, exc: ApiError) -> float:
    """Exponential backoff with jitter, never sooner than the API's Retry-After."""
    backoff = min(2**task.request.retries, 300) * random.uniform(0.5, 1.5)
    return max(backoff, exc.retry_after or 0)


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


@shared_task(bind=True, max_retries=MAX_RETRIES)
def submit_job(self, job_id: int) -> None:
    job = _load_job(job_id)
    if job is None:
        return
    if job.status != S.SUBMITTING or job.insideview_job_id:
        return
    try:
        services.submit_job(job)
    except ApiError as exc:
        if self.request.retries >= self.max_retries:
            transition(job, S.FAILED, source=JobEvent.Source.WORKER, message=str(exc))
            dispatch_team.delay(job.team_id)
            return
        raise self.retry(countdown=_retry_countdown(self, exc), exc=exc) from exc
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
            transition(
                job, S.FAILED, source=source, message=str(exc), last_error=exc.message
            )
            dispatch_team.delay(job.team_id)
            return
        raise self.retry(countdown=_retry_countdown(self, exc), exc=exc) from exc

    JobEvent.objects.create(
        job=job,
        kind=JobEvent.Kind.POLL,
        source=source,
        status=answer.status,
        detail={"totalProcessed": answer.total_processed},
    )
    apply_api_status(
        job, answer.status, total_processed=answer.total_processed, source=source
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
    except (ApiError, MalformedResults) as exc:
        error = exc if isinstance(exc, ApiError) else ApiError(str(exc))
        services.record_api_error(job, error, source=JobEvent.Source.WORKER)
        if self.request.retries >= self.max_retries or error.permanent:
            transition(job, S.FAILED, source=JobEvent.Source.WORKER, message=str(error))
            return
        raise self.retry(countdown=_retry_countdown(self, error), exc=exc) from exc
    logger.info("job %s: %d result rows stored", job.code, count)


@shared_task
def poll_stale_jobs() -> None:
    """Check running jobs whose webhook hasn't moved them, and restart stuck work."""
    now = timezone.now()
    due = TechJob.objects.filter(
        status__in=[S.ACCEPTED, S.PROCESSING], next_check_at__lte=now
    ).values_list("pk", flat=True)
    for job_id in due[:500]:
        refresh_job.delay(job_id, JobEvent.Source.BEAT)

    # A finished job whose results task was lost gets another one.
    stalled = TechJob.objects.filter(
        status=S.FINISHED, status_changed_at__lte=now - services.poll_delay(0)
    ).values_list("pk", flat=True)
    for job_id in stalled[:100]:
        fetch_results.delay(job_id)

    waiting = TechJob.objects.filter(status=S.QUEUED).values_list("team_id", flat=True)
    for team_id in set(waiting):
        dispatch_team.delay(team_id)
    # TODO: a job left in submitting by a worker killed mid-request is not yet
    # reconciled against the API's job list, so it waits for an operator.
