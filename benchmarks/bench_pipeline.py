"""Throughput of parsing, loading, summarizing and exporting at the API's job size.

Run with `make bench`; each benchmark prints one `name: value unit` line.
"""

import time

import pytest
from django.test import Client

from simulator.catalogue import tech_profile
from techjobs import reports
from techjobs.ingest import store_results
from techjobs.models import TechJob, TechResult
from techjobs.parsing import parse_file, parse_text
from tests.factories import make_job

pytestmark = pytest.mark.django_db

JOB_SIZE = 10_000
RESULT_COLUMNS = [
    "companyId", "categoryId", "categoryName", "subCategoryId", "subCategoryName",
    "productId", "productName", "vendorName", "status", "errorMessage",
]  # fmt: skip


def report(name: str, value: float, unit: str) -> None:
    print(f"\n{name}: {value:.1f} {unit}")


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def _ids(count: int) -> list[str]:
    return [str(700000 + n) for n in range(count)]


def _results_file(ids: list[str]) -> bytes:
    lines = [",".join(RESULT_COLUMNS)]
    for company_id in ids:
        for row in tech_profile(company_id):
            lines.append(",".join(f'"{row[column]}"' for column in RESULT_COLUMNS))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def loaded_job(people):
    ids = _ids(JOB_SIZE)
    job, _ = make_job(people.team, ids, status=TechJob.Status.FINISHED)
    content = _results_file(ids)
    rows, seconds = timed(store_results, job, content)
    return job, rows, seconds


def test_parse_paste(people):
    text = "\n".join(_ids(100_000))

    parsed, seconds = timed(parse_text, text)

    assert len(parsed.ids) == 100_000
    report("parse_paste_100k_ids", len(parsed.ids) / seconds, "ids/s")


def test_parse_csv_file(people):
    data = (
        "Company Name,Company ID\r\n"
        + "".join(
            f"Company {n},{company_id}\r\n"
            for n, company_id in enumerate(_ids(100_000))
        )
    ).encode()

    parsed, seconds = timed(parse_file, "export.csv", data)

    assert len(parsed.ids) == 100_000
    report("parse_csv_100k_ids", len(parsed.ids) / seconds, "ids/s")


def test_load_results(loaded_job):
    job, rows, seconds = loaded_job

    assert TechResult.objects.filter(job=job).count() == rows
    report("load_results_10k_companies", rows / seconds, "rows/s")


def test_summarize_results(loaded_job):
    job, _, _ = loaded_job
    results = TechResult.objects.filter(job=job)

    def summarize():
        summary = reports.summarize(results, query="Google", page_number=3)
        return list(summary["page"])

    _, seconds = timed(summarize)
    report("summarize_10k_companies", seconds * 1000, "ms")


def test_export_csv(loaded_job, people):
    job, rows, _ = loaded_job
    client = Client()
    client.force_login(people.bob)

    def download():
        response = client.get(f"/jobs/{job.code}/results.csv")
        return sum(chunk.count(b"\n") for chunk in response.streaming_content)

    lines, seconds = timed(download)
    assert lines == rows + 1
    report("export_csv_10k_companies", rows / seconds, "rows/s")


def test_confirm_upload(people):
    client = Client()
    client.force_login(people.bob)
    text = ",".join(_ids(JOB_SIZE * 3))

    def preview_and_confirm():
        preview = client.post(
            "/jobs/new/preview/", {"ids": text}, headers={"HX-Request": "1"}
        )
        token = preview.context["confirm_form"].initial["preview_token"]
        return client.post(
            "/jobs/new/confirm/", {"preview_token": token}, headers={"HX-Request": "1"}
        )

    _, seconds = timed(preview_and_confirm)
    assert TechJob.objects.filter(team=people.team).count() == 3
    report("preview_and_confirm_30k_ids", seconds * 1000, "ms")
