"""Job status transitions and the ledger moves they cause."""

import pytest

from techjobs.lifecycle import apply_api_status, transition
from techjobs.models import JobEvent, TechJob, UsageEntry
from tests.factories import make_job

pytestmark = pytest.mark.django_db

S = TechJob.Status


def _ledger(job):
    return dict(UsageEntry.objects.filter(job=job).values_list("kind", "ids"))


def test_forward_transition_moves_and_records(people):
    job, _ = make_job(people.team)

    moved = transition(job, S.SUBMITTING, source=JobEvent.Source.WORKER)

    assert moved
    job.refresh_from_db()
    assert job.status == S.SUBMITTING
    event = job.events.get()
    assert (event.kind, event.status, event.detail) == (
        "transition",
        S.SUBMITTING,
        {"from": "queued"},
    )


def test_backward_transition_is_refused(people):
    job, _ = make_job(people.team, status=S.FINISHED)

    moved = transition(job, S.PROCESSING, source=JobEvent.Source.WEBHOOK)

    assert not moved
    job.refresh_from_db()
    assert job.status == S.FINISHED
    assert not job.events.exists()


def test_stale_copy_can_not_overwrite(people):
    job, _ = make_job(people.team, status=S.ACCEPTED)
    stale = TechJob.objects.get(pk=job.pk)
    transition(job, S.PROCESSING, source=JobEvent.Source.WEBHOOK)
    transition(job, S.FINISHED, source=JobEvent.Source.WEBHOOK)

    moved = transition(stale, S.PROCESSING, source=JobEvent.Source.BEAT)

    assert not moved
    job.refresh_from_db()
    assert job.status == S.FINISHED


def test_processing_consumes_reservation_once(people):
    job, _ = make_job(people.team, status=S.ACCEPTED)

    apply_api_status(
        job, "processing", total_processed=0, source=JobEvent.Source.WEBHOOK
    )
    apply_api_status(job, "processing", total_processed=1, source=JobEvent.Source.BEAT)
    apply_api_status(job, "finished", total_processed=3, source=JobEvent.Source.BEAT)

    assert _ledger(job) == {"reserve": 3, "consume": 3}
    assert job.total_processed == 3


def test_finished_without_processing_still_consumes(people):
    job, _ = make_job(people.team, status=S.ACCEPTED)

    apply_api_status(job, "finished", total_processed=3, source=JobEvent.Source.WEBHOOK)

    job.refresh_from_db()
    assert job.status == S.FINISHED
    assert _ledger(job) == {"reserve": 3, "consume": 3}


def test_late_processing_after_finished_is_ignored(people):
    job, _ = make_job(people.team, status=S.ACCEPTED)
    apply_api_status(job, "finished", total_processed=3, source=JobEvent.Source.WEBHOOK)

    applied = apply_api_status(
        job, "processing", total_processed=1, source=JobEvent.Source.WEBHOOK
    )

    assert not applied
    job.refresh_from_db()
    assert job.status == S.FINISHED
    assert job.total_processed == 3
    assert (
        job.events.filter(kind=JobEvent.Kind.IGNORED, status="processing").count() == 1
    )


def test_abort_before_processing_refunds(people):
    job, _ = make_job(people.team, status=S.ACCEPTED)

    apply_api_status(job, "aborted", total_processed=0, source=JobEvent.Source.WEBHOOK)

    job.refresh_from_db()
    assert job.status == S.ABORTED
    assert _ledger(job) == {"reserve": 3, "refund": 3}


def test_failure_without_seen_processing_consumes(people):
    # InsideView fails a job while processing it, after debiting its credits,
    # even when the processing status was never seen.
    job, _ = make_job(people.team, status=S.ACCEPTED)

    apply_api_status(job, "failed", total_processed=0, source=JobEvent.Source.BEAT)

    job.refresh_from_db()
    assert job.status == S.FAILED
    assert _ledger(job) == {"reserve": 3, "consume": 3}


def test_failure_after_processing_keeps_consumption(people):
    job, _ = make_job(people.team, status=S.ACCEPTED)
    apply_api_status(
        job, "processing", total_processed=0, source=JobEvent.Source.WEBHOOK
    )

    apply_api_status(job, "failed", total_processed=1, source=JobEvent.Source.WEBHOOK)

    job.refresh_from_db()
    assert job.status == S.FAILED
    assert _ledger(job) == {"reserve": 3, "consume": 3}


def test_rejection_refunds_once(people):
    job, _ = make_job(people.team, status=S.SUBMITTING)

    transition(job, S.REJECTED, source=JobEvent.Source.WORKER)
    transition(job, S.REJECTED, source=JobEvent.Source.WORKER)

    assert _ledger(job) == {"reserve": 3, "refund": 3}


def test_unknown_api_status_is_ignored(people):
    job, _ = make_job(people.team, status=S.ACCEPTED)

    applied = apply_api_status(
        job, "exploded", total_processed=None, source=JobEvent.Source.WEBHOOK
    )

    assert not applied
    job.refresh_from_db()
    assert job.status == S.ACCEPTED
