"""The techProfile bulk job API and the single-company tech profile."""

import logging
import re
import time
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpResponse
from django.urls import reverse

from simulator import errors, results, runtime
from simulator.api import api_view
from simulator.catalogue import installed_products, is_valid_company_id
from simulator.render import render
from simulator.state import JOB_TYPE, PROFILE_API, JobStatus

logger = logging.getLogger(__name__)

MAX_COMPANY_IDS = 10_000
JOB_BODY_TYPES = ("text/plain", "application/octet-stream")

_ID_SEPARATORS = re.compile(r"[,\r\n]")
_validate_url = URLValidator(schemes=["http", "https"])


def parse_company_ids(body):
    """Return the company ids of a job body, split on commas and newlines.

    Ids are trimmed, blanks are dropped and repeats are kept. Raises ApiError 400
    for an empty, too long or invalid list.
    """
    text = body.decode("utf-8-sig", errors="replace")
    company_ids = [part.strip() for part in _ID_SEPARATORS.split(text)]
    company_ids = [company_id for company_id in company_ids if company_id]

    if not company_ids:
        raise errors.too_small("companyIds", 1, 0)
    if len(company_ids) > MAX_COMPANY_IDS:
        raise errors.too_large("companyIds", MAX_COMPANY_IDS, len(company_ids))
    if not all(is_valid_company_id(company_id) for company_id in company_ids):
        raise errors.invalid_company_id()
    return company_ids


@api_view("POST", tech_profile=True)
def submit_job(request, account):
    # A missing Content-Type is allowed, as the techProfile job page documents.
    if request.content_type and request.content_type not in JOB_BODY_TYPES:
        raise errors.unsupported_media_type(request.content_type)

    webhook = request.GET.get("webhook") or None
    if webhook is not None:
        try:
            _validate_url(webhook)
        except ValidationError:
            raise errors.illegal_value("webhook") from None

    company_ids = parse_company_ids(request.body)
    store = runtime.current().store
    job = store.submit_job(account, company_ids, webhook, time.monotonic())
    logger.info(
        "Job %s accepted for %s with %d ids",
        job.job_id,
        account.client_id,
        len(company_ids),
    )

    body = {"jobId": job.job_id, "status": str(job.status), "type": JOB_TYPE}
    return render(request, "BulkJobStatus", body)


@api_view("GET", "DELETE", tech_profile=True)
def job_detail(request, account, job_id):
    """Return the job's status, or cancel the job on DELETE."""
    store = runtime.current().store
    if request.method == "DELETE":
        job = store.cancel_job(account, job_id)
        logger.info("Job %s aborted by %s", job_id, account.client_id)
        body = {"jobId": job.job_id, "status": str(job.status), "type": JOB_TYPE}
        return render(request, "BulkLeadEnrichmentStatus", body)

    with store.lock:
        body = store.find_job(account, job_id).status_body()
    return render(request, "BulkLeadEnrichmentStatus", body)


@api_view("GET", tech_profile=True)
def job_results(request, account, job_id):
    """Return the results of an ended job: the CSV itself or a descriptor linking
    to it, as chosen by --results-shape."""
    current = runtime.current()
    with current.store.lock:
        job = current.store.find_job(account, job_id)
        status = job.status
    if status in (JobStatus.ACCEPTED, JobStatus.PROCESSING):
        raise errors.job_not_finished()
    if status == JobStatus.ABORTED:
        raise errors.job_has_no_results(status)

    if current.config.results_shape == "csv":
        return HttpResponse(
            results.results_csv(job), content_type="text/csv; charset=utf-8"
        )

    path = reverse(
        "download-results", args=[JOB_TYPE, job.job_id, results.file_name(job)]
    )
    query = urlencode({"token": results.link_token(job.job_id)})
    descriptor = {
        "jobId": job.job_id,
        "jobType": JOB_TYPE,
        "jobStatus": str(status),
        "createdDate": format_created_date(job.created_at),
        "creditsConsumed": job.credits_consumed,
        "resultsUrl": request.build_absolute_uri(f"{path}?{query}"),
    }
    return render(request, "bulkJob", descriptor)


@api_view("GET", tech_profile=True)
def company_tech_profile(request, account, company_id):
    """Return one company's installed technologies, grouped by category and
    sub-category. A found company costs one transaction."""
    if not is_valid_company_id(company_id):
        raise errors.invalid_company_id()
    products = installed_products(company_id)
    if products is None:
        raise errors.company_not_found()

    runtime.current().store.charge(account, PROFILE_API, 1)
    return render(request, "techProfile", group_products(company_id, products))


def group_products(company_id, products):
    categories = {}
    for product in products:
        category = categories.setdefault(
            product.category_id,
            {
                "categoryId": product.category_id,
                "categoryName": product.category_name,
                "subCategories": {},
            },
        )
        sub_category = category["subCategories"].setdefault(
            product.sub_category_id,
            {
                "subCategoryId": product.sub_category_id,
                "subCategoryName": product.sub_category_name,
                "products": [],
            },
        )
        sub_category["products"].append(
            {
                "productId": product.product_id,
                "productName": product.product_name,
                "vendorName": product.vendor_name,
            }
        )

    for category in categories.values():
        category["subCategories"] = list(category["subCategories"].values())
    return {"companyId": company_id, "categories": list(categories.values())}


def format_created_date(moment):
    """Format like "2016-09-15T03:36:05.000-07:00", the results descriptor's form."""
    return moment.isoformat(timespec="milliseconds")
