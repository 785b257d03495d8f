"""Results files of finished jobs, and the expiring links to download them."""

import csv
import io

from django.core import signing

from simulator.catalogue import RESULT_COLUMNS, tech_profile
from simulator.state import JOB_TYPE

_LINK_SALT = "simulator.results-link"


def results_csv(job):
    """Return the job's results file as UTF-8 CSV text with a header row.

    A finished job gets one row per (company, product). A failed one gets one
    "failed" row per company, with the reason. Repeated ids are listed once.
    """
    if job.results_csv is not None:
        return job.results_csv

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, RESULT_COLUMNS)
    writer.writeheader()
    for company_id in dict.fromkeys(job.company_ids):
        if job.failure_reason is None:
            writer.writerows(tech_profile(company_id))
        else:
            row = dict.fromkeys(RESULT_COLUMNS, "")
            row.update(
                companyId=company_id, status="failed", errorMessage=job.failure_reason
            )
            writer.writerow(row)

    # Two threads may build the same text at once, which is harmless.
    job.results_csv = buffer.getvalue()
    return job.results_csv


def file_name(job):
    return f"{JOB_TYPE}_{job.job_id}_{job.created_at:%Y%m%dT%H%M%SZ}.csv"


def link_token(job_id):
    return signing.TimestampSigner(salt=_LINK_SALT).sign(job_id)


def job_id_from_link_token(token, max_age_seconds):
    """Return the job id a link token was made for, or None if invalid or expired."""
    signer = signing.TimestampSigner(salt=_LINK_SALT)
    try:
        return signer.unsign(token, max_age=max_age_seconds)
    except signing.BadSignature:
        return None
