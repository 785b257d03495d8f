"""/admin/usage, /admin/jobs and the single-company tech profile."""

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest

from simulator.catalogue import installed_products

ADMIN = ("admin-client", "admin-secret")


@pytest.fixture(scope="module")
def admin_jobs(simulator):
    """Jobs of the admin account: one finished, one aborted."""
    token = simulator.token(ADMIN)
    finished = simulator.submit(token, "736233,781163,724468").json()["jobId"]
    aborted = simulator.submit(token, "736233").json()["jobId"]
    simulator.request("DELETE", f"/api/v1/company/techProfile/job/{aborted}", token)
    simulator.wait_for_status(token, finished, {"finished"})
    return {"finished": finished, "aborted": aborted}


def today():
    return datetime.now(UTC)


def get_usage(simulator, token, **params):
    return simulator.request("GET", "/api/v1/admin/usage", token, params=params)


def test_usage_by_day(simulator, admin_jobs):
    token = simulator.token(ADMIN)
    day = today().strftime("%Y-%m-%d")

    response = get_usage(simulator, token, period="day", start=day, end=day)

    assert response.status_code == 200
    body = response.json()
    assert body["accountId"] == "admin-client"
    assert (body["period"], body["start"], body["end"]) == ("day", day, day)
    bulk = [row for row in body["usageForAccount"] if row["api"] == "techProfileFetch"]
    assert bulk == [{"api": "techProfileFetch", "transactions": 3, "date": day}]
    assert body["creditsForAccount"][0]["allocatedCredits"] == 100
    assert body["bulkJobReferenceUrl"] == simulator.url("/api/v1/admin/jobs")


@pytest.mark.parametrize(
    ("period", "date_format"), [("month", "%Y-%m"), ("year", "%Y")]
)
def test_usage_by_month_and_year(simulator, admin_jobs, period, date_format):
    token = simulator.token(ADMIN)
    current = today().strftime(date_format)

    response = get_usage(simulator, token, period=period, start=current, end=current)

    rows = response.json()["usageForAccount"]
    bulk = [row for row in rows if row["api"] == "techProfileFetch"]
    assert bulk == [{"api": "techProfileFetch", "transactions": 3, "date": current}]


def test_usage_outside_period_is_empty(simulator, admin_jobs):
    token = simulator.token(ADMIN)

    response = get_usage(simulator, token, period="year", start="2000", end="2001")

    assert response.json()["usageForAccount"] == []


def test_usage_xml(simulator, admin_jobs):
    token = simulator.token(ADMIN)
    year = today().strftime("%Y")

    response = simulator.request(
        "GET",
        "/api/v1/admin/usage",
        token,
        xml=True,
        params={"period": "year", "start": year, "end": year},
    )

    root = ElementTree.fromstring(response.content)
    assert root.findtext("accountId") == "admin-client"
    assert root.find("creditsForAccount/allocatedCredits").text == "100"
    assert root.find("usageForAccount/api") is not None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"period": "week", "start": "2025", "end": "2025"},
        {"period": "month", "start": "2025-13", "end": "2025-12"},
        {"period": "day", "start": "2025-01-02"},
        {"period": "year", "start": "2026", "end": "2025"},
    ],
)
def test_usage_rejects_bad_period(simulator, params):
    token = simulator.token(ADMIN)

    response = get_usage(simulator, token, **params)

    assert response.status_code == 400
    assert response.json()["errorNumber"] == "400-103"


def test_jobs_list(simulator, admin_jobs):
    token = simulator.token(ADMIN)

    response = simulator.request("GET", "/api/v1/admin/jobs", token)

    assert response.status_code == 200
    jobs = {job["jobId"]: job for job in response.json()["bulkJobs"]}
    assert jobs[admin_jobs["finished"]] == {
        "jobId": admin_jobs["finished"],
        "jobType": "techProfileFetch",
        "jobStatus": "finished",
        "createdDate": today().strftime("%Y-%m-%d"),
        "creditsConsumed": 3,
    }
    assert jobs[admin_jobs["aborted"]]["jobStatus"] == "aborted"
    assert jobs[admin_jobs["aborted"]]["creditsConsumed"] == 0


def test_jobs_list_newest_first(simulator, admin_jobs):
    token = simulator.token(ADMIN)

    response = simulator.request("GET", "/api/v1/admin/jobs", token)

    job_ids = [job["jobId"] for job in response.json()["bulkJobs"]]
    assert job_ids.index(admin_jobs["aborted"]) < job_ids.index(admin_jobs["finished"])


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [("3", {"finished"}), ("4", {"aborted"}), ("3,4", {"finished", "aborted"})],
)
def test_jobs_list_status_filter(simulator, admin_jobs, statuses, expected):
    token = simulator.token(ADMIN)

    response = simulator.request(
        "GET", "/api/v1/admin/jobs", token, params={"jobStatuses": statuses}
    )

    assert {job["jobStatus"] for job in response.json()["bulkJobs"]} == expected


def test_jobs_list_period_filter(simulator, admin_jobs):
    token = simulator.token(ADMIN)

    response = simulator.request(
        "GET",
        "/api/v1/admin/jobs",
        token,
        params={"period": "year", "start": "2000", "end": "2001"},
    )

    assert response.json()["bulkJobs"] == []


def test_jobs_list_pages(simulator, admin_jobs):
    token = simulator.token(ADMIN)

    def page(number):
        response = simulator.request(
            "GET",
            "/api/v1/admin/jobs",
            token,
            params={"page": number, "resultsPerPage": 1},
        )
        return [job["jobId"] for job in response.json()["bulkJobs"]]

    assert page(1) == [admin_jobs["aborted"]]
    assert page(2) == [admin_jobs["finished"]]
    assert page(3) == []


@pytest.mark.parametrize(
    ("params", "error_number"),
    [
        ({"resultsPerPage": 51}, "400-106"),
        ({"resultsPerPage": 0}, "400-105"),
        ({"page": 0}, "400-105"),
        ({"page": "two"}, "400-107"),
        ({"jobStatuses": "7"}, "400-103"),
    ],
)
def test_jobs_list_rejects_bad_params(simulator, params, error_number):
    token = simulator.token(ADMIN)

    response = simulator.request("GET", "/api/v1/admin/jobs", token, params=params)

    assert response.status_code == 400
    assert response.json()["errorNumber"] == error_number


def test_jobs_list_xml(simulator, admin_jobs):
    token = simulator.token(ADMIN)

    response = simulator.request("GET", "/api/v1/admin/jobs", token, xml=True)

    root = ElementTree.fromstring(response.content)
    assert root.tag == "bulkJobList"
    job_ids = [job.findtext("jobId") for job in root.findall("bulkJobs")]
    assert admin_jobs["finished"] in job_ids


def test_company_profile(simulator):
    token = simulator.token(ADMIN)

    response = simulator.request("GET", "/api/v1/company/736233/techProfile", token)

    assert response.status_code == 200
    body = response.json()
    assert body["companyId"] == "736233"
    products = [
        (category["categoryName"], sub["subCategoryName"], product["productName"])
        for category in body["categories"]
        for sub in category["subCategories"]
        for product in sub["products"]
    ]
    expected = [
        (product.category_name, product.sub_category_name, product.product_name)
        for product in installed_products("736233")
    ]
    assert products == expected


def test_company_profile_costs_one_credit(simulator, admin_jobs):
    token = simulator.token(ADMIN)
    day = today().strftime("%Y-%m-%d")

    def profile_usage():
        rows = get_usage(simulator, token, period="day", start=day, end=day).json()
        return sum(
            row["transactions"]
            for row in rows["usageForAccount"]
            if row["api"] == "companyTechProfile"
        )

    before = profile_usage()
    simulator.request("GET", "/api/v1/company/781163/techProfile", token)

    assert profile_usage() == before + 1


def test_company_profile_xml(simulator):
    token = simulator.token(ADMIN)

    response = simulator.request(
        "GET", "/api/v1/company/724468/techProfile", token, xml=True
    )

    root = ElementTree.fromstring(response.content)
    assert root.tag == "techProfile"
    names = [element.text for element in root.iter("productName")]
    assert names == [product.product_name for product in installed_products("724468")]


def test_company_profile_unknown(simulator):
    token = simulator.token(ADMIN)
    unknown = next(
        str(n) for n in range(100000, 200000) if installed_products(str(n)) is None
    )

    response = simulator.request("GET", f"/api/v1/company/{unknown}/techProfile", token)

    assert response.status_code == 404
    assert response.json()["errorNumber"] == "404-11"
    assert response.json()["message"] == "Company not found."
