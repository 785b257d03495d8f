"""Job status transitions: forward only, each one conditional UPDATE.

Two workers, or a webhook racing a poll, may try the same change at once.
The UPDATE's WHERE clause lets exactly one of them win, and only the winner
records the event and moves the ledger.
"""

import logging

from django.db import transaction
from django.utils import timezone

from .ledger import settle
from .models import JobEvent, TechJob, UsageEntry

logger = logging.getLogger(__name__)

S = TechJob.Status

ALLOWED_FROM = {
    S.SUBMITTING: {S.QUEUED},
    S.ACCEPTED: {S.SUBMITTING},
    S.PROCESSING: {S.SUBMITTING, S.ACCEPTED},
    S.FINISHED: {S.SUBMITTING, S.ACCEPTED, S.PROCESSING},
    S.RESULTS_READY: {S.FINISHED},
    S.CANCELLED: {S.QUEUED},
    S.REJECTED: {S.QUEUED, S.SUBMITTING},
    S.ABORTED: {S.SUBMITTING, S.ACCEPTED},
    S.FAILED: {S.QUEUED, S.SUBMITTING, S.ACCEPTED, S.PROCESSING},
}

# Statuses the InsideView API reports, mapped to ours.
API_STATUSES = {
    "accepted": S.ACCEPTED,
    "processing": S.PROCESSING,
    "finished": S.FINISHED,
    "failed": S.FAILED,
    "aborted": S.ABORTED,
}

# InsideView debits a job's credits when processing starts; a job that ends
# before that gets its reservation back.
CONSUMING = {S.PROCESSING, S.FINISHED}
REFUNDING = {S.CANCELLED, S.REJECTED, S.ABORTED}


def transition(
    job: TechJob, to: str, *, source: str, message: str = "", **fields
) -> bool:
    """Move the job to `to` if its stored status allows; return whether it moved.

    On success `job` is updated in memory too.
    """
    now = timezone.now()
    changes = {"status": to, "status_changed_at": now, **fields}
    if to in (S.RESULTS_READY, S.CANCELLED, S.REJECTED, S.ABORTED, S.FAILED):
        changes.setdefault("finished_at", now)
        changes.setdefault("next_check_at", None)

    with transaction.atomic():
        moved = TechJob.objects.filter(pk=job.pk, status__in=ALLOWED_FROM[to]).update(
            **changes
        )
        if not moved:
            return False
        previous = job.status
        for name, value in changes.items():
            setattr(job, name, value)
        JobEvent.objects.create(
            job=job,
            kind=JobEvent.Kind.TRANSITION,
            source=source,
            status=to,
            message=message,
            detail={"from": previous},
        )
        _move_ledger(job, to)

    logger.info("job %s moved from %s to %s (%s)", job.code, previous, to, source)
    return True


def _move_ledger(job: TechJob, to: str) -> None:
    if to in CONSUMING:
        settle(job, UsageEntry.Kind.CONSUME)
    elif to in REFUNDING:
        settle(job, UsageEntry.Kind.REFUND)
    elif to == S.FAILED:
        # Already consumed if it reached processing; otherwise it never ran.
        settle(job, UsageEntry.Kind.REFUND)


def apply_api_status(
    job: TechJob, api_status: str, *, total_processed: int | None, source: str
) -> bool:
    """Apply a status the API reported; record and ignore a stale or unknown one."""
    target = API_STATUSES.get(api_status)
    if total_processed is not None and total_processed > job.total_processed:
        TechJob.objects.filter(pk=job.pk, total_processed__lt=total_processed).update(
            total_processed=total_processed
        )
        job.total_processed = total_processed

    if target is None or target == job.status:
        return False
    if job.status not in ALLOWED_FROM[target]:
        job.refresh_from_db(fields=["status"])
    if job.status == target:
        return False
    if job.status not in ALLOWED_FROM[target]:
        JobEvent.objects.create(
            job=job,
            kind=JobEvent.Kind.IGNORED,
            source=source,
            status=api_status,
            message=f"Ignored {api_status!r} because the job is already {job.status}.",
        )
        return False

    # A job the API reports finished or failed has passed through processing,
    # where InsideView debits its credits, whether or not that step was seen.
    if target in (S.FINISHED, S.FAILED) and job.status in (S.SUBMITTING, S.ACCEPTED):
        transition(
            job, S.PROCESSING, source=source, message="Implied by a later status."
        )
    return transition(job, target, source=source)
