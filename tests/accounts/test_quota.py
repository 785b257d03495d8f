"""Team quotas: defaults for a new team, and the ledger under concurrent use."""

import threading
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import API_MAX_IDS_PER_JOB, Team, TeamQuota
from techjobs import ledger
from techjobs.lifecycle import transition
from techjobs.models import TechJob, Upload, UsageEntry
from tests.factories import make_job

S = TechJob.Status
Kind = UsageEntry.Kind


@pytest.mark.django_db
def test_new_team_gets_default_quota():
    team = Team.objects.create(name="Initech")

    quota = TeamQuota.objects.get(team=team)
    assert quota.monthly_ids == 100_000
    assert quota.ids_per_job == API_MAX_IDS_PER_JOB
    assert quota.running_jobs == 2
    assert quota.requests_per_window == 1000
    assert team.quota == quota


@pytest.mark.django_db
def test_saving_team_again_keeps_quota():
    team = Team.objects.create(name="Initech")
    team.quota_row.monthly_ids = 5
    team.quota_row.save()

    team.name = "Initrode"
    team.save()

    assert TeamQuota.objects.filter(team=team).count() == 1
    assert TeamQuota.objects.get(team=team).monthly_ids == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value",
    [("ids_per_job", API_MAX_IDS_PER_JOB + 1), ("ids_per_job", 0), ("running_jobs", 3)],
)
def test_database_rejects_quota_beyond_api(people, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamQuota.objects.filter(team=people.team).update(**{field: value})


def _race(count, action):
    """Run action(i) in `count` threads at once, each on its own connection."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = action(index)
        except Exception as exc:  # reported by the caller's asserts
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _confirm(team, size):
    """Confirm a one-job upload of `size` ids the way the upload view does."""
    ids = [str(700000 + n) for n in range(size)]
    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                team=team, source="race", ids=ids, preview_token=uuid.uuid4()
            )
            job = TechJob(team=team, upload=upload, sequence=1, ids=ids, id_count=size)
            job.issue_webhook_token()
            job.save()
            ledger.reserve(team, [job])
    except ledger.QuotaExceeded:
        return "rejected"
    return "reserved"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", [100, 60, 1000])
def test_racing_confirmations_stay_within_limit(people, size):
    TeamQuota.objects.filter(team=people.team).update(monthly_ids=5000)
    team = Team.objects.get(pk=people.team.pk)
    make_job(team, ids=[str(800000 + n) for n in range(4000)])
    assert ledger.usage(team)["left"] == 1000

    results = _race(20, lambda _: _confirm(team, size))

    assert [r for r in results if r not in ("reserved", "rejected")] == []
    assert results.count("reserved") == 1000 // size
    status = ledger.usage(team)
    assert status["left"] == 1000 % size
    assert status["reserved"] == 5000 - 1000 % size


@pytest.mark.django_db(transaction=True)
def test_racing_settlements_happen_once(people):
    job, _ = make_job(people.team)
    kinds = [Kind.CONSUME, Kind.REFUND] * 10

    results = _race(20, lambda i: ledger.settle(job, kinds[i]))

    assert [r for r in results if not isinstance(r, bool)] == []
    assert results.count(True) == 1
    settled = UsageEntry.objects.filter(job=job).exclude(kind=Kind.RESERVE)
    assert settled.count() == 1


@pytest.mark.django_db
def test_refund_happens_once(people):
    job, _ = make_job(people.team)
    before = ledger.usage(people.team)["left"]

    assert transition(job, S.CANCELLED, source="user")
    assert not ledger.settle(job, Kind.REFUND)
    assert not transition(job, S.CANCELLED, source="user")

    refunds = UsageEntry.objects.filter(job=job, kind=Kind.REFUND)
    assert refunds.count() == 1
    assert refunds.get().ids == 3
    assert ledger.usage(people.team)["left"] == before + 3


@pytest.mark.django_db
def test_consumed_job_gets_no_refund(people):
    job, _ = make_job(people.team, status=S.ACCEPTED)

    transition(job, S.PROCESSING, source="worker")
    transition(job, S.FAILED, source="worker")

    kinds = set(UsageEntry.objects.filter(job=job).values_list("kind", flat=True))
    assert kinds == {Kind.RESERVE, Kind.CONSUME}


@pytest.mark.django_db
def test_preview_refusal_states_numbers(client, people):
    TeamQuota.objects.filter(team=people.team).update(monthly_ids=1_005)
    make_job(people.team, ids=[str(800000 + n) for n in range(1_000)])
    client.force_login(people.bob)

    response = client.post(
        "/jobs/new/preview/",
        {"ids": "736233,781163,724468,745001,745002,745003"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert b'id="confirm"' not in response.content
    assert b"needs 6 company ids but the team has 5 of its 1,005 left" in (
        response.content
    )


@pytest.mark.django_db
@pytest.mark.parametrize("used, warned", [(79, False), (80, True)])
def test_usage_meter_warns_from_80_percent(client, people, used, warned):
    TeamQuota.objects.filter(team=people.team).update(monthly_ids=100)
    make_job(people.team, ids=[str(800000 + n) for n in range(used)])
    client.force_login(people.vera)

    response = client.get("/")

    assert (b'class="usage warn"' in response.content) is warned
    assert (b"has used 80% of its monthly quota" in response.content) is warned
