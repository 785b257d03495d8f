import sys
import uuid

import pytest
import redis
from django.conf import settings

from accounts.models import ApiCredential, Membership, Team, User
from tests.support import Process, start_simulator, wait_until

TEST_ACCOUNT = ("test-client", "test-secret-4321")


@pytest.fixture(scope="session")
def simulator_url():
    """A simulator with quick job timings, for the whole test session."""
    process, url = start_simulator(
        "--account",
        ":".join(TEST_ACCOUNT),
        "--accepted-seconds",
        "0.3",
        "--processing-seconds",
        "0.8",
    )
    yield url
    process.stop()


@pytest.fixture
def own_simulator(settings):
    """Start a simulator with its own options for one test and send API calls to it.

    Call it with the simulator's options and a name for its log; it is
    stopped when the test ends.
    """
    started = []

    def start(*options, name):
        process, url = start_simulator(
            "--account", ":".join(TEST_ACCOUNT), *options, name=name
        )
        started.append(process)
        settings.INSIDEVIEW_API_URL = settings.INSIDEVIEW_AUTH_URL = url
        return url

    yield start
    for process in started:
        process.stop()


@pytest.fixture(autouse=True)
def _test_settings(request, settings):
    """Hash passwords quickly, and send API calls to the session's simulator."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "simulator_url" in request.fixturenames:
        url = request.getfixturevalue("simulator_url")
        settings.INSIDEVIEW_API_URL = url
        settings.INSIDEVIEW_AUTH_URL = url


class Personas:
    """alice owns the team, bob is a member, vera a viewer; olga owns another team."""

    password = "correct horse battery staple"

    def __init__(self):
        self.team = Team.objects.create(name="Acme analytics")
        self.alice = self._member("alice@example.com", Membership.Role.OWNER, self.team)
        self.bob = self._member("bob@example.com", Membership.Role.MEMBER, self.team)
        self.vera = self._member("vera@example.com", Membership.Role.VIEWER, self.team)
        self.credential = ApiCredential(team=self.team, client_id=TEST_ACCOUNT[0])
        self.credential.set_client_secret(TEST_ACCOUNT[1])
        self.credential.save()

        self.other_team = Team.objects.create(name="Globex")
        self.olga = self._member(
            "olga@example.com", Membership.Role.OWNER, self.other_team
        )

    def _member(self, email, role, team):
        user = User.objects.create_user(email, self.password)
        Membership.objects.create(user=user, team=team, role=role)
        return user


@pytest.fixture
def people(db):
    return Personas()


@pytest.fixture
def public_base_url(settings):
    return settings.PUBLIC_BASE_URL


@pytest.fixture
def uuid4_token():
    return uuid.uuid4()


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(
    simulator_url: str,
    public_base_url: str,
    *,
    name: str = "worker",
    env=None,
    flush: bool = True,
) -> Process:
    """Start a real Celery worker process on the test database and Redis.

    With `flush`, the broker's Redis database is emptied first, so no task of
    an earlier worker reaches this one.
    """
    if flush:
        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    worker_env = {
        "DATABASE_URL": _test_database_url(),
        "INSIDEVIEW_API_URL": simulator_url,
        "INSIDEVIEW_AUTH_URL": simulator_url,
        "PUBLIC_BASE_URL": public_base_url,
        "JOB_POLL_AFTER_SECONDS": "1",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "DATABASE_CONN_MAX_AGE": "0",
        **(env or {}),
    }
    worker = Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=worker_env,
        name=name,
    )
    wait_until(
        lambda: "ready." in worker.output(),
        timeout=30,
        message="the Celery worker to start",
    )
    return worker


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, simulator_url, live_server):
    """A real Celery worker process on the test database, Redis and simulator.

    Its webhook URLs point at the live server, so the simulator's calls reach
    this test process over loopback HTTP. It lives for one module, because
    modules with a simulator of their own start a worker of their own, and
    two workers on one queue would take each other's tasks.
    """
    worker = start_worker(simulator_url, live_server.url)
    yield worker
    worker.stop()
