import pytest
from django.conf import settings

from accounts.models import ApiCredential, Membership, Team, TeamQuota, User
from tests.support import start_simulator

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
        TeamQuota.objects.create(team=self.team)
        self.alice = self._member("alice@example.com", Membership.Role.OWNER, self.team)
        self.bob = self._member("bob@example.com", Membership.Role.MEMBER, self.team)
        self.vera = self._member("vera@example.com", Membership.Role.VIEWER, self.team)
        self.credential = ApiCredential(team=self.team, client_id=TEST_ACCOUNT[0])
        self.credential.set_client_secret(TEST_ACCOUNT[1])
        self.credential.save()

        self.other_team = Team.objects.create(name="Globex")
        TeamQuota.objects.create(team=self.other_team)
        self.olga = self._member("olga@example.com", Membership.Role.OWNER, self.other_team)

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
    import uuid

    return uuid.uuid4()
