"""Rows built directly for tests that don't go through the upload form."""

import uuid

from django.db import transaction

from techjobs import ledger
from techjobs.models import TechJob, Upload


def make_job(
    team, ids=("736233", "781163", "724468"), *, status=TechJob.Status.QUEUED, **fields
):
    """Create a one-job upload and its reservation; return the job and its token."""
    with transaction.atomic():
        upload = Upload.objects.create(
            team=team, source="paste", ids=list(ids), preview_token=uuid.uuid4()
        )
        job = TechJob(
            team=team,
            upload=upload,
            sequence=1,
            ids=list(ids),
            id_count=len(ids),
            status=status,
            **fields,
        )
        token = job.issue_webhook_token()
        job.save()
        ledger.reserve(team, [job])
    return job, token
