"""The periodic read of InsideView's usage report, against its own simulator."""

import pytest

from accounts.models import ApiCredential
from accounts.tasks import read_api_usage
from techjobs.insideview import InsideViewClient
from techjobs.ledger import current_month
from techjobs.lifecycle import transition
from techjobs.models import TechJob
from tests.factories import make_job
from tests.support import start_simulator, wait_until

pytestmark = pytest.mark.django_db

ACCOUNT = ("usage-client", "usage-secret-1234", "500")


@pytest.fixture(scope="module")
def usage_simulator():
    process, url = start_simulator(
        "--account",
        ":".join(ACCOUNT),
        "--accepted-seconds",
        "0.2",
        "--processing-seconds",
        "30",
        name="usage-simulator",
    )
    yield url
    process.stop()


@pytest.fixture
def credential(people, settings, usage_simulator):
    settings.INSIDEVIEW_API_URL = usage_simulator
    settings.INSIDEVIEW_AUTH_URL = usage_simulator
    credential = people.credential
    credential.client_id = ACCOUNT[0]
    credential.set_client_secret(ACCOUNT[1])
    credential.save()
    return credential


def _consume_at_api(credential, ids):
    client = InsideViewClient(credential)
    job = client.submit(ids, "http://127.0.0.1:9/webhook")
    wait_until(
        lambda: client.status(job.job_id).status == "processing",
        timeout=15,
        message="the simulator to start processing",
    )


@pytest.fixture
def staff_client(client, people):
    people.alice.is_staff = people.alice.is_superuser = True
    people.alice.save()
    client.force_login(people.alice)
    return client


def test_task_stores_consumed_credits(credential):
    read_api_usage()
    credential.refresh_from_db()
    before = credential.api_consumed_credits

    _consume_at_api(credential, ["736233", "781163", "724468"])
    read_api_usage()

    credential.refresh_from_db()
    assert credential.api_consumed_credits == before + 3
    assert credential.api_allocated_credits == 500
    assert credential.api_usage_month == current_month()
    assert credential.api_usage_read_at is not None
    assert credential.api_usage_error == ""


def test_task_records_failure(credential):
    credential.set_client_secret("wrong-secret-0000")
    credential.save()

    read_api_usage()

    credential.refresh_from_db()
    assert "Credentials rejected" in credential.api_usage_error
    assert credential.api_usage_read_at is None


def test_admin_flags_difference(staff_client, people, credential):
    _consume_at_api(credential, ["736233", "781163"])
    read_api_usage()
    consumed = ApiCredential.objects.get(pk=credential.pk).api_consumed_credits

    differs = staff_client.get("/admin/accounts/teamquota/")
    job, _ = make_job(people.team, ids=[str(800000 + n) for n in range(consumed)])
    TechJob.objects.filter(pk=job.pk).update(status=TechJob.Status.ACCEPTED)
    job.status = TechJob.Status.ACCEPTED
    transition(job, TechJob.Status.PROCESSING, source="worker")
    matches = staff_client.get("/admin/accounts/teamquota/")

    assert f"{consumed} of 500".encode() in differs.content
    assert b'alt="False"' in differs.content
    assert b'alt="True"' in matches.content
