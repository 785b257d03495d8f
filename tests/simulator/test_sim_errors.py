"""Each documented error, in JSON and in XML."""

import re
from xml.etree import ElementTree

import pytest

JOBS = "/api/v1/company/techProfile/job"
UNKNOWN_JOB = "aaaaaaaaaaaaaaaaaaaa"
BLOCKED = ("blocked-client", "blocked-secret")

ERROR_FIELDS = {"errorType", "status", "errorNumber", "message", "diagnosticCode"}

# (case, request arguments, status, errorType, errorNumber, message or None)
CASES = [
    (
        "empty body",
        {"method": "POST", "path": JOBS, "data": " , \n"},
        400, "Bad Request", "400-105",
        "companyIds should not be less than 1. Given value is 0",
    ),
    (
        "too many ids",
        {"method": "POST", "path": JOBS, "data": ",".join(["736233"] * 10_001)},
        400, "Bad Request", "400-106",
        "companyIds should not be more than 10000. Given value is 10001",
    ),
    (
        "non-numeric id",
        {"method": "POST", "path": JOBS, "data": "736233,acme-corp"},
        400, "Bad Request", "400-102", "Company id is not valid.",
    ),
    (
        "invalid webhook",
        {
            "method": "POST",
            "path": JOBS,
            "data": "736233",
            "params": {"webhook": "not a url"},
        },
        400, "Bad Request", "400-103", "Illegal values for the field webhook.",
    ),
    (
        "wrong content type",
        {
            "method": "POST",
            "path": JOBS,
            "data": '["736233"]',
            "headers": {"Content-Type": "application/json"},
        },
        415, "Unsupported Media Type", "415-1", None,
    ),
    (
        "unknown job status",
        {"method": "GET", "path": f"{JOBS}/{UNKNOWN_JOB}"},
        404, "Not Found", "404-1", "Invalid ID, record not found.",
    ),
    (
        "unknown job results",
        {"method": "GET", "path": f"{JOBS}/{UNKNOWN_JOB}/results"},
        404, "Not Found", "404-1", "Invalid ID, record not found.",
    ),
    (
        "unknown job cancel",
        {"method": "DELETE", "path": f"{JOBS}/{UNKNOWN_JOB}"},
        404, "Not Found", "404-1", "Invalid ID, record not found.",
    ),
    (
        "unknown company",
        {"method": "GET", "path": "/api/v1/company/acme/techProfile"},
        400, "Bad Request", "400-102", "Company id is not valid.",
    ),
    (
        "wrong method",
        {"method": "PUT", "path": JOBS, "data": "736233"},
        405, "Method Not Allowed", "405-2", None,
    ),
    (
        "unknown path",
        {"method": "GET", "path": "/api/v1/nothing"},
        404, "Not Found", "404-2", None,
    ),
]  # fmt: skip

CASE_IDS = [case[0] for case in CASES]


def send(simulator, token, request, xml):
    request = dict(request)
    method = request.pop("method")
    path = request.pop("path")
    if method == "POST":
        headers = {"Content-Type": "text/plain", **request.pop("headers", {})}
        request["headers"] = headers
    return simulator.request(method, path, token, xml=xml, **request)


def parse_xml_error(response):
    root = ElementTree.fromstring(response.content)
    assert root.tag == "error"
    body = {child.tag: child.text for child in root}
    body["status"] = int(body["status"])
    return body


def check_error(body, status, error_type, error_number, message):
    assert set(body) == ERROR_FIELDS
    assert body["status"] == status
    assert body["errorType"] == error_type
    assert body["errorNumber"] == error_number
    if message is not None:
        assert body["message"] == message
    assert re.fullmatch(r"[a-z0-9]{20}", body["diagnosticCode"])


@pytest.mark.parametrize(
    ("case", "request_args", "status", "error_type", "error_number", "message"),
    CASES,
    ids=CASE_IDS,
)
def test_error_json(
    simulator, token, case, request_args, status, error_type, error_number, message
):
    response = send(simulator, token, request_args, xml=False)

    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    check_error(response.json(), status, error_type, error_number, message)


@pytest.mark.parametrize(
    ("case", "request_args", "status", "error_type", "error_number", "message"),
    CASES,
    ids=CASE_IDS,
)
def test_error_xml(
    simulator, token, case, request_args, status, error_type, error_number, message
):
    response = send(simulator, token, request_args, xml=True)

    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/xml")
    check_error(parse_xml_error(response), status, error_type, error_number, message)


@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
def test_missing_token(simulator, xml):
    response = simulator.request("GET", f"{JOBS}/{UNKNOWN_JOB}", "", xml=xml)

    assert response.status_code == 401
    body = parse_xml_error(response) if xml else response.json()
    message = (
        "Unauthorized Error - Cannot use API's without setting a valid accessToken "
        "in header."
    )
    check_error(body, 401, "Unauthorized", "401-1", message)


@pytest.mark.parametrize("xml", [False, True], ids=["json", "xml"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", JOBS),
        ("GET", f"{JOBS}/{UNKNOWN_JOB}"),
        ("GET", f"{JOBS}/{UNKNOWN_JOB}/results"),
        ("DELETE", f"{JOBS}/{UNKNOWN_JOB}"),
        ("GET", "/api/v1/company/736233/techProfile"),
    ],
)
def test_api_not_enabled(simulator, xml, method, path):
    token = simulator.token(BLOCKED)

    response = simulator.request(method, path, token, xml=xml, data="736233")

    assert response.status_code == 405
    body = parse_xml_error(response) if xml else response.json()
    message = "Method Not Allowed - Your are not allowed to access this API."
    check_error(body, 405, "Method Not Allowed", "405-1", message)


def test_disabled_account_can_read_admin(simulator):
    token = simulator.token(BLOCKED)

    response = simulator.request("GET", "/api/v1/admin/jobs", token)

    assert response.status_code == 200


def test_diagnostic_codes_differ(simulator, token):
    codes = {
        simulator.status(token, UNKNOWN_JOB).json()["diagnosticCode"] for _ in range(3)
    }

    assert len(codes) == 3


def test_accept_xml_wins_when_preferred(simulator, token):
    response = simulator.status(
        token,
        UNKNOWN_JOB,
        xml=True,
        headers={"Accept": "application/xml, application/json;q=0.5"},
    )

    assert response.headers["Content-Type"].startswith("application/xml")
