import csv
import io
import re
import time
from urllib.parse import urlsplit
from xml.etree import ElementTree

from simulator.catalogue import RESULT_COLUMNS, installed_products, tech_profile
from tests.simulator.support import FAST_TIMINGS, run_simulator

EXAMPLE_IDS = ("736233", "781163", "724468")


def expected_rows(company_ids):
    rows = []
    for company_id in dict.fromkeys(company_ids):
        rows.extend(tech_profile(company_id))
    return rows


def parse_csv(text):
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == RESULT_COLUMNS
    return list(reader)


def unknown_company_id():
    return next(
        str(n) for n in range(100000, 200000) if installed_products(str(n)) is None
    )


def test_submit_returns_accepted_job(simulator, token):
    response = simulator.submit(token, ",".join(EXAMPLE_IDS))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"jobId", "status", "type"}
    assert re.fullmatch(r"[a-z0-9]{20}", body["jobId"])
    assert body["status"] == "accepted"
    assert body["type"] == "techProfileFetch"


def test_submit_xml(simulator, token):
    response = simulator.submit(token, "736233", xml=True)

    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert root.tag == "BulkJobStatus"
    assert root.findtext("status") == "accepted"
    assert root.findtext("type") == "techProfileFetch"


def test_submit_without_content_type(simulator, token):
    response = simulator.request(
        "POST", "/api/v1/company/techProfile/job", token, data=b"736233"
    )

    assert response.status_code == 200


def test_submit_octet_stream(simulator, token):
    response = simulator.submit(
        token, b"736233", headers={"Content-Type": "application/octet-stream"}
    )

    assert response.status_code == 200


def test_status_moves_to_finished(simulator, token):
    job_id = simulator.submit(token, "\n".join(EXAMPLE_IDS)).json()["jobId"]

    first = simulator.status(token, job_id)
    assert first.status_code == 200
    assert first.json() == {
        "jobId": job_id,
        "status": "accepted",
        "totalProcessed": 0,
        "type": "techProfileFetch",
    }

    seen = set()
    deadline = time.monotonic() + 10
    while "finished" not in seen and time.monotonic() < deadline:
        seen.add(simulator.status(token, job_id).json()["status"])
        time.sleep(0.02)

    assert seen == {"accepted", "processing", "finished"}
    assert simulator.status(token, job_id).json()["totalProcessed"] == 3


def test_status_xml(simulator, token):
    job_id = simulator.submit(token, "736233").json()["jobId"]

    response = simulator.status(token, job_id, xml=True)

    root = ElementTree.fromstring(response.content)
    assert root.tag == "BulkLeadEnrichmentStatus"
    assert [child.tag for child in root] == [
        "jobId",
        "status",
        "totalProcessed",
        "type",
    ]


def test_total_processed_grows(simulator, token):
    company_ids = [str(700000 + n) for n in range(1000)]
    job_id = simulator.submit(token, ",".join(company_ids)).json()["jobId"]

    counts = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body = simulator.status(token, job_id).json()
        counts.append(body["totalProcessed"])
        if body["status"] == "finished":
            break
        time.sleep(0.02)

    assert counts == sorted(counts)
    assert any(0 < count < 1000 for count in counts)
    assert counts[-1] == 1000


def test_results_before_finished(simulator, token):
    job_id = simulator.submit(token, "736233").json()["jobId"]

    response = simulator.results(token, job_id)

    assert response.status_code == 400
    assert response.json()["message"] == "Job is not finished."


def test_results_descriptor_and_download(simulator, token):
    company_ids = [*EXAMPLE_IDS, unknown_company_id(), "736233"]
    job_id = simulator.submit(token, ",".join(company_ids)).json()["jobId"]
    simulator.wait_for_status(token, job_id, {"finished"})

    response = simulator.results(token, job_id)

    assert response.status_code == 200
    descriptor = response.json()
    assert descriptor["jobId"] == job_id
    assert descriptor["jobType"] == "techProfileFetch"
    assert descriptor["jobStatus"] == "finished"
    assert descriptor["creditsConsumed"] == 5
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", descriptor["createdDate"]
    )
    link = urlsplit(descriptor["resultsUrl"])
    assert f"{link.scheme}://{link.netloc}" == simulator.base_url

    download = simulator.session.get(descriptor["resultsUrl"], timeout=10)

    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert parse_csv(download.content.decode("utf-8")) == expected_rows(company_ids)


def test_results_descriptor_xml(simulator, token):
    job_id = simulator.submit(token, "736233").json()["jobId"]
    simulator.wait_for_status(token, job_id, {"finished"})

    response = simulator.results(token, job_id, xml=True)

    root = ElementTree.fromstring(response.content)
    assert root.tag == "bulkJob"
    assert root.findtext("jobStatus") == "finished"
    assert root.findtext("resultsUrl").startswith(simulator.base_url)


def test_results_link_rejects_bad_token(simulator, token):
    job_id = simulator.submit(token, "736233").json()["jobId"]
    simulator.wait_for_status(token, job_id, {"finished"})
    url = simulator.results(token, job_id).json()["resultsUrl"]

    response = simulator.session.get(url[:-3] + "xyz", timeout=10)

    assert response.status_code == 403


def test_results_link_expires():
    with run_simulator(*FAST_TIMINGS, "--results-url-lifetime", "1") as simulator:
        token = simulator.token()
        job_id = simulator.submit(token, "736233").json()["jobId"]
        simulator.wait_for_status(token, job_id, {"finished"})
        url = simulator.results(token, job_id).json()["resultsUrl"]
        assert simulator.session.get(url, timeout=10).status_code == 200

        time.sleep(2.1)

        assert simulator.session.get(url, timeout=10).status_code == 403


def test_results_csv_shape():
    with run_simulator(*FAST_TIMINGS, "--results-shape", "csv") as simulator:
        token = simulator.token()
        company_ids = [*EXAMPLE_IDS, unknown_company_id()]
        job_id = simulator.submit(token, ",".join(company_ids)).json()["jobId"]
        simulator.wait_for_status(token, job_id, {"finished"})

        response = simulator.results(token, job_id)

        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert parse_csv(response.text) == expected_rows(company_ids)


def test_example_ids_have_products(simulator, token):
    job_id = simulator.submit(token, ",".join(EXAMPLE_IDS)).json()["jobId"]
    simulator.wait_for_status(token, job_id, {"finished"})
    url = simulator.results(token, job_id).json()["resultsUrl"]

    rows = parse_csv(simulator.session.get(url, timeout=10).text)

    for company_id in EXAMPLE_IDS:
        statuses = {row["status"] for row in rows if row["companyId"] == company_id}
        assert statuses == {"found"}, company_id


def test_results_are_deterministic(simulator, token):
    company_ids = [str(800000 + n) for n in range(50)]
    downloads = []
    for _ in range(2):
        job_id = simulator.submit(token, ",".join(company_ids)).json()["jobId"]
        simulator.wait_for_status(token, job_id, {"finished"})
        url = simulator.results(token, job_id).json()["resultsUrl"]
        downloads.append(parse_csv(simulator.session.get(url, timeout=10).text))

    assert downloads[0] == downloads[1]
    assert downloads[0] == expected_rows(company_ids)


def test_unknown_company_row(simulator, token):
    company_id = unknown_company_id()
    job_id = simulator.submit(token, company_id).json()["jobId"]
    simulator.wait_for_status(token, job_id, {"finished"})
    url = simulator.results(token, job_id).json()["resultsUrl"]

    rows = parse_csv(simulator.session.get(url, timeout=10).text)

    assert len(rows) == 1
    assert rows[0]["companyId"] == company_id
    assert rows[0]["status"] == "notFound"
    assert rows[0]["errorMessage"] == "Company not found."
    assert rows[0]["productName"] == ""


def test_job_of_other_account_is_not_found(simulator, token):
    job_id = simulator.submit(token, "736233").json()["jobId"]
    other = simulator.token(("other-client", "other-secret"))

    response = simulator.status(other, job_id)

    assert response.status_code == 404
    assert response.json()["message"] == "Invalid ID, record not found."


def test_cancel_accepted_job(simulator):
    token = simulator.token(("cancel-client", "cancel-secret"))
    job_id = simulator.submit(token, "736233").json()["jobId"]

    response = simulator.request(
        "DELETE", f"/api/v1/company/techProfile/job/{job_id}", token
    )

    assert response.status_code == 200
    assert response.json() == {
        "jobId": job_id,
        "status": "aborted",
        "type": "techProfileFetch",
    }
    time.sleep(1.2)
    status = simulator.status(token, job_id).json()
    assert status["status"] == "aborted"
    assert status["totalProcessed"] == 0
    results = simulator.results(token, job_id)
    assert results.status_code == 400


def test_cancel_after_processing_started(simulator):
    token = simulator.token(("cancel-client", "cancel-secret"))
    job_id = simulator.submit(token, "736233").json()["jobId"]
    simulator.wait_for_status(token, job_id, {"processing", "finished"})

    response = simulator.request(
        "DELETE", f"/api/v1/company/techProfile/job/{job_id}", token
    )

    assert response.status_code == 400
    assert simulator.status(token, job_id).json()["status"] != "aborted"


def test_cancel_xml(simulator):
    token = simulator.token(("cancel-client", "cancel-secret"))
    job_id = simulator.submit(token, "736233").json()["jobId"]

    response = simulator.request(
        "DELETE", f"/api/v1/company/techProfile/job/{job_id}", token, xml=True
    )

    root = ElementTree.fromstring(response.content)
    assert root.tag == "BulkLeadEnrichmentStatus"
    assert root.findtext("status") == "aborted"


def test_failed_job_results(webhook_receiver):
    with run_simulator(*FAST_TIMINGS, "--scenario", "failing-jobs") as simulator:
        token = simulator.token()
        job_id = simulator.submit(
            token, "736233,781163", webhook=webhook_receiver.url
        ).json()["jobId"]

        status = simulator.wait_for_status(token, job_id, {"failed", "finished"})
        descriptor = simulator.results(token, job_id).json()
        download = simulator.session.get(descriptor["resultsUrl"], timeout=10)
        webhook_receiver.wait_for_calls(2)

        assert status["status"] == "failed"
        assert descriptor["jobStatus"] == "failed"
        assert descriptor["creditsConsumed"] == 2
        rows = parse_csv(download.text)
        assert [row["companyId"] for row in rows] == ["736233", "781163"]
        assert {row["status"] for row in rows} == {"failed"}
        assert all(row["errorMessage"].startswith("Processing failed") for row in rows)
        statuses = [payload["status"] for payload in webhook_receiver.payloads()]
        assert statuses == ["processing", "failed"]
