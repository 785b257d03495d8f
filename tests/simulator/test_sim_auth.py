import re
import time
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from tests.simulator.support import DEMO, run_simulator

EXPIRATION_FORMAT = "%a, %b %d, %Y %I:%M:%S %p GMT"
CREDENTIALS = {"clientId": DEMO[0], "clientSecret": DEMO[1], "grantType": "cred"}


def parse_expiration(text):
    return datetime.strptime(text, EXPIRATION_FORMAT).replace(tzinfo=UTC)


def test_health_check(simulator):
    response = simulator.session.get(simulator.url("/"), timeout=10)

    assert response.status_code == 200
    assert response.json() == {"service": "insideview-simulator", "status": "ok"}


def test_token_json(simulator):
    response = simulator.session.post(
        simulator.url("/Auth/login/v1/token.json"), params=CREDENTIALS, timeout=10
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    details = response.json()["accessTokenDetails"]
    assert set(details) == {"accessToken", "tokenType", "expirationTime"}
    assert details["tokenType"] == "bearer"
    assert details["accessToken"]
    expires = parse_expiration(details["expirationTime"])
    one_year = datetime.now(UTC) + timedelta(days=365)
    assert abs(expires - one_year) < timedelta(minutes=1)


def test_token_xml(simulator):
    response = simulator.session.post(
        simulator.url("/Auth/login/v1/token"), params=CREDENTIALS, timeout=10
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "accessTokenDetails"
    assert [child.tag for child in root] == [
        "accessToken",
        "expirationTime",
        "tokenType",
    ]
    assert root.findtext("tokenType") == "bearer"
    parse_expiration(root.findtext("expirationTime"))


def test_token_path_without_suffix_follows_accept(simulator):
    response = simulator.session.post(
        simulator.url("/Auth/login/v1/token"),
        params=CREDENTIALS,
        headers={"Accept": "application/json"},
        timeout=10,
    )

    assert response.status_code == 200
    assert "accessToken" in response.json()["accessTokenDetails"]


def test_token_works_on_api(simulator):
    token = simulator.token()

    response = simulator.request("GET", "/api/v1/admin/jobs", token)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {**CREDENTIALS, "clientSecret": "wrong"},
        {**CREDENTIALS, "clientId": "nobody"},
    ],
)
def test_token_bad_credentials_json(simulator, params):
    response = simulator.session.post(
        simulator.url("/Auth/login/v1/token.json"), params=params, timeout=10
    )

    assert response.status_code == 401
    body = response.json()
    assert body["status"] == 401
    assert body["errorType"] == "Unauthorized"
    assert re.fullmatch(r"[a-z0-9]{20}", body["diagnosticCode"])


def test_token_bad_credentials_xml(simulator):
    params = {**CREDENTIALS, "clientSecret": "wrong"}

    response = simulator.session.post(
        simulator.url("/Auth/login/v1/token"), params=params, timeout=10
    )

    assert response.status_code == 401
    root = ElementTree.fromstring(response.content)
    assert root.tag == "error"
    assert root.findtext("status") == "401"


@pytest.mark.parametrize("missing", ["clientId", "clientSecret", "grantType"])
def test_token_missing_parameter(simulator, missing):
    params = {name: value for name, value in CREDENTIALS.items() if name != missing}

    response = simulator.session.post(
        simulator.url("/Auth/login/v1/token.json"), params=params, timeout=10
    )

    assert response.status_code == 400
    assert missing in response.json()["message"]


def test_token_wrong_grant_type(simulator):
    params = {**CREDENTIALS, "grantType": "code"}

    response = simulator.session.post(
        simulator.url("/Auth/login/v1/token.json"), params=params, timeout=10
    )

    assert response.status_code == 400


def test_token_requires_post(simulator):
    response = simulator.session.get(
        simulator.url("/Auth/login/v1/token.json"), params=CREDENTIALS, timeout=10
    )

    assert response.status_code == 405


def test_token_from_form_body(simulator):
    response = simulator.session.post(
        simulator.url("/Auth/login/v1/token.json"), data=CREDENTIALS, timeout=10
    )

    assert response.status_code == 200


def test_each_token_is_new(simulator):
    assert simulator.token() != simulator.token()


@pytest.mark.parametrize("headers", [{}, {"accessToken": "not-a-token"}])
def test_api_rejects_missing_or_unknown_token(simulator, headers):
    response = simulator.session.get(
        simulator.url("/api/v1/admin/jobs"),
        headers={"Accept": "application/json", **headers},
        timeout=10,
    )

    assert response.status_code == 401
    assert response.json()["errorNumber"] == "401-1"


def test_expired_token_is_rejected():
    with run_simulator("--token-lifetime", "1") as simulator:
        token = simulator.token()
        assert simulator.request("GET", "/api/v1/admin/jobs", token).status_code == 200

        time.sleep(1.2)
        response = simulator.request("GET", "/api/v1/admin/jobs", token)

        assert response.status_code == 401
        assert response.json()["message"].startswith("Unauthorized Error")
        fresh = simulator.token()
        assert simulator.request("GET", "/api/v1/admin/jobs", fresh).status_code == 200
