"""The per-credential request budget, counted in Redis and shared by workers."""

import threading

import pytest
import redis
from django.conf import settings

from techjobs.insideview import ApiError, InsideViewClient, budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_budget(people):
    key = f"techjobs:requests:{people.credential.pk}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(key)
    yield people.credential.pk
    client.delete(key)


def test_requests_past_limit_are_held_back(fresh_budget):
    for _ in range(3):
        budget.take(fresh_budget, 3)

    with pytest.raises(budget.BudgetExhausted) as caught:
        budget.take(fresh_budget, 3)

    assert 0 < caught.value.wait <= budget.WINDOW_SECONDS
    assert budget.used(fresh_budget) == 3


def test_concurrent_takers_share_one_count(fresh_budget):
    granted = []

    def take_many():
        for _ in range(20):
            try:
                budget.take(fresh_budget, 25)
                granted.append(1)
            except budget.BudgetExhausted:
                pass

    threads = [threading.Thread(target=take_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(granted) == 25
    assert budget.used(fresh_budget) == 25


def test_client_reports_exhausted_budget_as_throttled(
    people, fresh_budget, simulator_url
):
    people.team.quota_row.requests_per_window = 1
    people.team.quota_row.save()
    client = InsideViewClient(people.credential)
    client.submit(["736233"], "http://127.0.0.1:9/h/")

    with pytest.raises(ApiError) as caught:
        client.status("anything")

    assert caught.value.throttled
    assert not caught.value.permanent
    assert caught.value.retry_after > 0
