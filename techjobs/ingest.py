"""Loading a results file into normalized rows."""

import csv
import hashlib
import io
import logging

from django.db import connection, transaction
from django.utils import timezone

from .lifecycle import transition
from .models import JobEvent, ResultFile, TechJob, TechResult

logger = logging.getLogger(__name__)

# Results columns, by our field name, with the header names the API uses.
COLUMNS = {
    "company_id": ("companyId",),
    "category": ("categoryName",),
    "sub_category": ("subCategoryName",),
    "product": ("productName",),
    "vendor": ("vendorName",),
    "status": ("status",),
}


class MalformedResults(ValueError):
    pass


def read_rows(content: bytes) -> list[tuple]:
    """Return one tuple per results row in COLUMNS order."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedResults("The results file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    positions = {}
    for field, names in COLUMNS.items():
        found = next((name for name in names if name in header), None)
        if found is None:
            raise MalformedResults(f"The results file has no {names[0]} column.")
        positions[field] = found
    return [
        tuple((row[positions[field]] or "").strip() for field in COLUMNS)
        for row in reader
    ]


def store_results(job: TechJob, content: bytes) -> int | None:
    """Keep the raw file, replace the job's rows with its contents and mark it ready.

    Safe to run twice or at once: the job row is locked and only a job still
    in finished is loaded. Returns the number of rows loaded, or None when the
    job was no longer waiting for results.
    """
    rows = read_rows(content)
    with transaction.atomic():
        locked = TechJob.objects.select_for_update().filter(
            pk=job.pk, status=TechJob.Status.FINISHED
        )
        if not locked.exists():
            return None
        ResultFile.objects.update_or_create(
            job=job,
            defaults={
                "content": content,
                "sha256": hashlib.sha256(content).hexdigest(),
                "fetched_at": timezone.now(),
            },
        )
        TechResult.objects.filter(job=job).delete()
        _copy_rows(job, rows)
        JobEvent.objects.create(
            job=job,
            kind=JobEvent.Kind.RESULTS,
            source=JobEvent.Source.WORKER,
            message=f"{len(rows)} result rows stored",
        )
        transition(job, TechJob.Status.RESULTS_READY, source=JobEvent.Source.WORKER)
    return len(rows)


def _copy_rows(job: TechJob, rows: list[tuple]) -> None:
    table = TechResult._meta.db_table
    columns = ", ".join(["job_id", *COLUMNS])
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((job.pk, *row))
