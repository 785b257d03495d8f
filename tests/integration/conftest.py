import sys

import pytest
import redis
from django.conf import settings

from tests.support import Process, wait_until


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, simulator_url, live_server):
    """A real Celery worker process on the test database, Redis and simulator.

    Its webhook URLs point at the live server, so the simulator's calls reach
    this test process over loopback HTTP.
    """
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    env = {
        "DATABASE_URL": _test_database_url(),
        "INSIDEVIEW_API_URL": simulator_url,
        "INSIDEVIEW_AUTH_URL": simulator_url,
        "PUBLIC_BASE_URL": live_server.url,
        "JOB_POLL_AFTER_SECONDS": "1",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "DATABASE_CONN_MAX_AGE": "0",
    }
    worker = Process(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--loglevel", "INFO", "--concurrency", "2", "--without-heartbeat",
            "--without-mingle", "--without-gossip",
        ],
        env=env,
        name="worker",
    )
    wait_until(
        lambda: "ready." in worker.output(), timeout=30, message="the Celery worker to start"
    )
    yield worker
    worker.stop()
