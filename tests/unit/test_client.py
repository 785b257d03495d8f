"""The InsideView client against the simulator over loopback HTTP."""

import socket
import threading
import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from techjobs.insideview import ApiError, InsideViewClient
from techjobs.insideview.client import PING_TIMEOUT
from techjobs.insideview.formats import decode, parse_expiry
from tests.support import wait_until

pytestmark = pytest.mark.django_db


def test_token_is_fetched_and_cached_encrypted(people, simulator_url):
    client = InsideViewClient(people.credential)

    token = client.fetch_token()

    people.credential.refresh_from_db()
    assert people.credential.cached_access_token() == token
    assert token not in people.credential.access_token_encrypted
    assert people.credential.access_token_expires_at > timezone.now() + timedelta(
        days=300
    )


def test_submit_status_and_results(people, simulator_url):
    client = InsideViewClient(people.credential)

    submitted = client.submit(["736233", "781163"], "http://127.0.0.1:9/hook/")
    status = client.status(submitted.job_id)

    assert submitted.status == "accepted"
    assert len(submitted.job_id) == 20
    assert status.job_id == submitted.job_id
    assert status.status in ("accepted", "processing", "finished")


def test_results_before_finish_is_permanent_error(people, simulator_url):
    client = InsideViewClient(people.credential)
    submitted = client.submit(["736233"], "http://127.0.0.1:9/hook/")

    with pytest.raises(ApiError) as caught:
        client.results(submitted.job_id)

    assert caught.value.status == 400
    assert caught.value.permanent


def test_unknown_job_is_404(people, simulator_url):
    with pytest.raises(ApiError) as caught:
        InsideViewClient(people.credential).status("nosuchjob00000000000")

    assert caught.value.status == 404
    assert "record not found" in caught.value.message


def test_expired_token_is_replaced_once(people, simulator_url):
    people.credential.store_access_token(
        "stale-token", timezone.now() + timedelta(days=1)
    )

    answer = InsideViewClient(people.credential).submit(
        ["736233"], "http://127.0.0.1:9/h/"
    )

    assert answer.status == "accepted"
    people.credential.refresh_from_db()
    assert people.credential.cached_access_token() != "stale-token"


def test_bad_client_secret_is_permanent(people, simulator_url):
    people.credential.set_client_secret("wrong-secret")
    people.credential.save()

    with pytest.raises(ApiError) as caught:
        InsideViewClient(people.credential).submit(["736233"], "http://127.0.0.1:9/h/")

    assert caught.value.status == 401
    assert caught.value.permanent


def test_invalid_id_is_rejected_with_error_number(people, simulator_url):
    with pytest.raises(ApiError) as caught:
        InsideViewClient(people.credential).submit(["abc"], "http://127.0.0.1:9/h/")

    assert caught.value.status == 400
    assert caught.value.error_number == "400-102"
    assert caught.value.permanent


def test_csv_results_shape_is_read_too(people, own_simulator):
    own_simulator(
        "--accepted-seconds", "0", "--processing-seconds", "0.2",
        "--results-shape", "csv", name="simulator-csv",
    )  # fmt: skip
    client = InsideViewClient(people.credential)
    job_id = client.submit(["736233"], "http://127.0.0.1:9/h/").job_id
    _wait_finished(client, job_id)

    content = client.results(job_id)

    assert content.startswith(b"companyId,")
    assert b"736233" in content


def test_descriptor_results_shape_downloads_file(people, simulator_url):
    client = InsideViewClient(people.credential)
    job_id = client.submit(["781163"], "http://127.0.0.1:9/h/").job_id
    _wait_finished(client, job_id)

    content = client.results(job_id)

    assert content.startswith(b"companyId,")
    assert b"781163" in content


def _wait_finished(client, job_id):
    wait_until(
        lambda: client.status(job_id).status == "finished", timeout=20, interval=0.2
    )


def test_silent_server_times_out(people, settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(
        target=lambda: accepted.append(listener.accept()), daemon=True
    ).start()
    settings.INSIDEVIEW_AUTH_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.INSIDEVIEW_READ_TIMEOUT = 0.5

    try:
        with pytest.raises(ApiError) as caught:
            InsideViewClient(people.credential).fetch_token()
    finally:
        listener.close()

    assert "timed out" in caught.value.message
    assert not caught.value.permanent


def test_closed_port_is_transient_error(people, settings):
    settings.INSIDEVIEW_AUTH_URL = "http://127.0.0.1:9"

    with pytest.raises(ApiError) as caught:
        InsideViewClient(people.credential).fetch_token()

    assert "Could not reach" in caught.value.message
    assert not caught.value.permanent


class _Answer:
    def __init__(self, text, content_type):
        self.text = text
        self.headers = {"Content-Type": content_type}


def test_xml_status_is_decoded():
    xml = (
        "<BulkLeadEnrichmentStatus><jobId>abc</jobId><status>processing</status>"
        "<totalProcessed>2</totalProcessed><type>techProfileFetch</type>"
        "</BulkLeadEnrichmentStatus>"
    )

    data = decode(_Answer(xml, "application/xml"))

    assert data == {
        "jobId": "abc",
        "status": "processing",
        "totalProcessed": "2",
        "type": "techProfileFetch",
    }


def test_xml_token_is_decoded():
    xml = (
        "<accessTokenDetails><accessToken>t0k</accessToken><tokenType>bearer</tokenType>"
        "<expirationTime>Tue, Jul 21, 2015 09:08:17 PM GMT</expirationTime>"
        "</accessTokenDetails>"
    )

    data = decode(_Answer(xml, "application/xml"))

    assert data["accessTokenDetails"]["accessToken"] == "t0k"


def test_expiry_format_is_parsed():
    expiry = parse_expiry("Tue, Jul 21, 2015 09:08:17 PM GMT")

    assert (expiry.year, expiry.month, expiry.day, expiry.hour) == (2015, 7, 21, 21)


def test_health_ping_uses_short_timeout(settings):
    class RecordingSession(requests.Session):
        def request(self, method, url, **kwargs):
            self.timeouts = getattr(self, "timeouts", []) + [kwargs.get("timeout")]
            return super().request(method, url, **kwargs)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    settings.INSIDEVIEW_API_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.INSIDEVIEW_READ_TIMEOUT = 600
    session = RecordingSession()

    try:
        with pytest.raises(ApiError) as caught:
            InsideViewClient(credential=None, session=session).ping()
    finally:
        listener.close()

    assert "timed out" in caught.value.message
    assert session.timeouts == [PING_TIMEOUT]


def test_busy_account_is_retried_not_rejected(people, own_simulator):
    own_simulator(
        "--accepted-seconds", "0", "--processing-seconds", "30",
        "--max-waiting-jobs", "0", name="simulator-busy",
    )  # fmt: skip
    client = InsideViewClient(people.credential)
    for company_id in ("736233", "781163"):
        job_id = client.submit([company_id], "http://127.0.0.1:9/h/").job_id
        wait_until(lambda j=job_id: client.status(j).status == "processing", timeout=10)

    with pytest.raises(ApiError) as caught:
        client.submit(["724468"], "http://127.0.0.1:9/h/")

    assert caught.value.status == 400
    assert not caught.value.permanent
    assert caught.value.retry_after == 60


def test_expired_results_link_is_asked_for_again(people, own_simulator):
    class SlowFirstDownload(requests.Session):
        """Waits past the link's lifetime before its first file download."""

        downloads = 0

        def request(self, method, url, **kwargs):
            if "/results/" in url:
                type(self).downloads += 1
                if self.downloads == 1:
                    time.sleep(1.5)
            return super().request(method, url, **kwargs)

    own_simulator(
        "--accepted-seconds", "0", "--processing-seconds", "0.2",
        "--results-url-lifetime", "1", name="simulator-short-links",
    )  # fmt: skip
    client = InsideViewClient(people.credential, session=SlowFirstDownload())
    job_id = client.submit(["736233"], "http://127.0.0.1:9/h/").job_id
    _wait_finished(client, job_id)

    content = client.results(job_id)

    assert content.startswith(b"companyId,")
    assert SlowFirstDownload.downloads == 2
