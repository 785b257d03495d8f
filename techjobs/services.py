"""Workflows that span several models: confirming an upload and submitting jobs."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import TeamQuota

from . import ledger
from .insideview import ApiError, InsideViewClient
from .lifecycle import apply_api_status, transition
from .models import JobEvent, TechJob, Upload

logger = logging.getLogger(__name__)

S = TechJob.Status


class NoCredential(Exception):
    pass


def split(ids: list[str], size: int) -> list[list[str]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def confirm_upload(
    *, team, user, ids: list[str], source: str, report: dict, preview_token
):
    """Create the upload and its queued jobs and reserve their ids, all or nothing.

    Returns the upload; a preview confirmed twice returns the first upload.
    Raises ledger.QuotaExceeded when the list doesn't fit this month.
    """
    existing = Upload.objects.filter(team=team, preview_token=preview_token).first()
    if existing:
        return existing

    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                team=team,
                created_by=user,
                source=source,
                report=report,
                ids=ids,
                preview_token=preview_token,
            )
            jobs = []
            for sequence, chunk in enumerate(
                split(ids, team.quota.ids_per_job), start=1
            ):
                job = TechJob(
                    team=team,
                    upload=upload,
                    sequence=sequence,
                    ids=chunk,
                    id_count=len(chunk),
                )
                job.issue_webhook_token()
                jobs.append(job)
            TechJob.objects.bulk_create(jobs)
            ledger.reserve(team, jobs)
            transaction.on_commit(lambda: _enqueue_dispatch(team.pk))
    except IntegrityError:
        existing = Upload.objects.filter(team=team, preview_token=preview_token).first()
        if existing is None:
            raise
        return existing
    logger.info(
        "upload %s confirmed: %d ids in %d jobs", upload.code, len(ids), len(jobs)
    )
    return upload


def _enqueue_dispatch(team_id: int) -> None:
    from .tasks import dispatch_team

    dispatch_team.delay(team_id)


def claim_next_job(team) -> TechJob | None:
    """Move the team's oldest queued job to submitting if a running slot is free.

    The team's quota row is locked while counting, so two dispatchers can't
    both take the last free slot.
    """
    with transaction.atomic():
        quota = TeamQuota.objects.select_for_update().get(team=team)
        running = TechJob.objects.filter(
            team=team, status__in=[S.SUBMITTING, S.ACCEPTED, S.PROCESSING]
        )
        if running.count() >= quota.running_jobs:
            return None
        job = (
            TechJob.objects.filter(team=team, status=S.QUEUED)
            .order_by("created_at", "sequence")
            .first()
        )
        if job is None:
            return None
        transition(job, S.SUBMITTING, source=JobEvent.Source.WORKER)
        return job


def submit_job(job: TechJob) -> None:
    """Send a claimed job to InsideView with a fresh webhook token.

    Transient API errors propagate so the task can retry; permanent ones end
    the job as rejected with the API's message.
    """
    credential = getattr(job.team, "credential", None)
    if credential is None:
        transition(
            job,
            S.FAILED,
            source=JobEvent.Source.WORKER,
            message="The team has no InsideView credentials. An owner must add them.",
            last_error="The team has no InsideView credentials.",
        )
        return

    token = job.issue_webhook_token()
    TechJob.objects.filter(pk=job.pk).update(webhook_token_hash=job.webhook_token_hash)
    webhook_url = settings.PUBLIC_BASE_URL + reverse("insideview-webhook", args=[token])

    # NOTE: a worker that dies after InsideView accepted the job but before the
    # id below is saved leaves an orphan job there: the job is sent again later
    # with a new webhook token. The API has no idempotency key to prevent it.
    try:
        answer = InsideViewClient(credential).submit(job.ids, webhook_url)
    except ApiError as exc:
        record_api_error(job, exc, source=JobEvent.Source.WORKER)
        if exc.permanent:
            transition(
                job,
                S.REJECTED,
                source=JobEvent.Source.WORKER,
                message=str(exc),
                error_number=exc.error_number,
                last_error=exc.message,
            )
            return
        raise

    now = timezone.now()
    TechJob.objects.filter(pk=job.pk).update(
        insideview_job_id=answer.job_id, submitted_at=now
    )
    job.insideview_job_id = answer.job_id
    JobEvent.objects.create(
        job=job,
        kind=JobEvent.Kind.SUBMITTED,
        source=JobEvent.Source.WORKER,
        status=answer.status,
        message=f"InsideView job {answer.job_id}",
    )
    transition(
        job,
        S.ACCEPTED,
        source=JobEvent.Source.WORKER,
        next_check_at=now + poll_delay(0),
    )


def poll_delay(check_count: int) -> timedelta:
    """Return the wait before the next status check, doubling up to 10 minutes."""
    base = settings.JOB_POLL_AFTER_SECONDS
    return timedelta(seconds=min(base * 2 ** min(check_count, 6), 600))


def record_api_error(job: TechJob, exc: ApiError, *, source: str) -> None:
    JobEvent.objects.create(
        job=job,
        kind=JobEvent.Kind.API_ERROR,
        source=source,
        message=str(exc)[:1000],
        detail={"status": exc.status, "permanent": exc.permanent},
    )
    TechJob.objects.filter(pk=job.pk).update(last_error=str(exc)[:1000])


def cancel_job(job: TechJob, *, source: str, message: str) -> bool:
    """Cancel a queued job here, or an accepted one at InsideView; refund its ids.

    Returns whether the job ended. An accepted job is cancelled with DELETE on
    the API, which reports it aborted; InsideView can't cancel a job once it
    is processing.
    """
    if job.status == S.QUEUED:
        return transition(job, S.CANCELLED, source=source, message=message)
    if job.status != S.ACCEPTED or not job.insideview_job_id:
        return False

    try:
        answer = InsideViewClient(job.team.credential).cancel(job.insideview_job_id)
    except ApiError as exc:
        record_api_error(job, exc, source=source)
        return False
    JobEvent.objects.create(
        job=job,
        kind=JobEvent.Kind.POLL,
        source=source,
        status=answer.status,
        message=message,
    )
    apply_api_status(
        job, answer.status, total_processed=answer.total_processed, source=source
    )
    # The freed running slot goes to the team's next queued job.
    transaction.on_commit(lambda: _enqueue_dispatch(job.team_id))
    return job.has_ended
