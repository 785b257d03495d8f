"""Searching, summarizing and exporting stored results."""

import io
import json

import openpyxl
import pytest

from techjobs import reports
from techjobs.models import TechJob, TechResult
from tests.factories import make_job

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def finished_job(people):
    job, _ = make_job(
        people.team, ["736233", "781163", "999"], status=TechJob.Status.RESULTS_READY
    )
    rows = [
        (
            "736233",
            "CRM",
            "Sales Force Automation",
            "Salesforce Sales Cloud",
            "Salesforce",
        ),
        ("736233", "Web Servers", "HTTP Servers", "nginx", "F5"),
        ("781163", "Web Servers", "HTTP Servers", "nginx", "F5"),
        ("781163", "Analytics", "Web Analytics", "Google Analytics", "Google"),
    ]
    for company_id, category, sub_category, product, vendor in rows:
        TechResult.objects.create(
            job=job,
            company_id=company_id,
            category=category,
            sub_category=sub_category,
            product=product,
            vendor=vendor,
            status="found",
        )
    TechResult.objects.create(job=job, company_id="999", status="notFound")
    return job


@pytest.fixture
def bob_client(client, people):
    client.force_login(people.bob)
    return client


def test_search_by_company_id_is_exact(finished_job):
    rows = reports.search(TechResult.objects.filter(job=finished_job), "73623")

    assert rows.count() == 0


def test_search_by_product_part(finished_job):
    rows = reports.search(TechResult.objects.filter(job=finished_job), "NGIN")

    assert sorted(rows.values_list("company_id", flat=True)) == ["736233", "781163"]


def test_summary_counts_companies(finished_job):
    summary = reports.summarize(TechResult.objects.filter(job=finished_job))

    assert summary["companies"] == 3
    assert summary["not_found"] == 1
    assert summary["top_products"][0] == {
        "product": "nginx",
        "vendor": "F5",
        "companies": 2,
    }
    assert summary["categories"][0]["category"] == "Web Servers"
    assert summary["page"].paginator.count == 5


def test_summary_queries_do_not_grow(
    people, finished_job, django_assert_max_num_queries
):
    results = TechResult.objects.filter(job=finished_job)
    TechResult.objects.bulk_create(
        TechResult(job=finished_job, company_id=str(n), product=f"p{n}", status="found")
        for n in range(300)
    )

    with django_assert_max_num_queries(6):
        summary = reports.summarize(results, query="p1", page_number=2)
        list(summary["page"])


def test_htmx_search_returns_results_partial(bob_client, finished_job):
    response = bob_client.get(
        finished_job.get_absolute_url(),
        {"q": "Google"},
        headers={**HTMX, "HX-Target": "results-section"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section id="results-section"')
    assert "Google Analytics" in content
    assert "Salesforce Sales Cloud" not in content.split('id="results"')[1]


def test_upload_page_shows_merged_results(bob_client, finished_job):
    response = bob_client.get(finished_job.upload.get_absolute_url())

    assert b'id="top-products"' in response.content
    assert b"3 companies, of which 1 not found" in response.content


@pytest.mark.parametrize("scope", ["job", "upload"])
def test_exports_hold_every_row(bob_client, finished_job, scope):
    owner = finished_job if scope == "job" else finished_job.upload
    base = owner.get_absolute_url() + "results"

    csv_body = b"".join(bob_client.get(base + ".csv").streaming_content).decode()
    json_rows = json.loads(b"".join(bob_client.get(base + ".json").streaming_content))
    xlsx = bob_client.get(base + ".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    xlsx_rows = list(sheet.iter_rows(values_only=True))

    assert len(csv_body.strip().splitlines()) == 6
    assert len(json_rows) == 5
    assert json_rows[0]["company_id"] == "736233"
    assert xlsx_rows[0] == (
        "company_id",
        "category",
        "sub_category",
        "product",
        "vendor",
        "status",
    )
    assert len(xlsx_rows) == 6
    assert xlsx["Content-Disposition"].endswith('.xlsx"')


def test_unknown_export_format_is_404(bob_client, finished_job):
    response = bob_client.get(finished_job.get_absolute_url() + "results.pdf")

    assert response.status_code == 404


def test_large_excel_export_points_to_csv(bob_client, finished_job, monkeypatch):
    monkeypatch.setattr("techjobs.exports.XLSX_MAX_ROWS", 4)

    response = bob_client.get(
        finished_job.get_absolute_url() + "results.xlsx", follow=True
    )
    csv_response = bob_client.get(finished_job.get_absolute_url() + "results.csv")

    assert response.redirect_chain[0][0] == finished_job.get_absolute_url()
    assert b"more than 4 rows, too many to build as an Excel file" in response.content
    assert csv_response.status_code == 200
