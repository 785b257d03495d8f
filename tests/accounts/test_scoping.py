"""Every URL of the site, walked as an outsider and as a viewer.

The URLs come from the URLconf, so a view added later is walked too. An
outsider (olga, who owns another team) must get a 404 for any object of
alice's team, and no page may show her that team's data. A viewer (vera)
may read everything of her team but change nothing.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ApiCredential, Membership
from techjobs import exports
from techjobs.models import TechJob, TechResult, Upload, UsageEntry
from tests.factories import make_job

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
METHODS = ("get", "post")
# Views anyone may call: the login form, the health check and InsideView's
# webhook, which authenticates by the unguessable token in its URL.
PUBLIC = {"login", "healthz", "insideview-webhook", "insideview-webhook-no-slash"}
# What a viewer may POST: picking one of their teams and logging in or out.
VIEWER_MAY_POST = {"login", "logout", "switch-team"}


def site_urls():
    """Yield (name, pattern, parameter names) of every named URL outside /admin/."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace is None:
                assert pattern.name, f"{pattern.pattern} has no URL name"
                yield pattern.name, pattern, set(pattern.pattern.regex.groupindex)

    return list(walk(get_resolver().url_patterns, None))


def admin_urls():
    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "admin" and pattern.name:
                yield pattern.name, set(pattern.pattern.regex.groupindex)

    return list(walk(get_resolver().url_patterns, None))


class Victim:
    """Alice's team with a job, its results, a member and a credential."""

    def __init__(self, people):
        self.people = people
        self.job, self.webhook_token = make_job(people.team, ids=["736233", "781163"])
        TechJob.objects.filter(pk=self.job.pk).update(
            status=TechJob.Status.RESULTS_READY
        )
        TechResult.objects.create(
            job=self.job,
            company_id="736233",
            category="Marketing",
            product="Zyxwidget Secret Product",
            vendor="Zyx",
        )
        Upload.objects.filter(pk=self.job.upload_id).update(source="acme-targets.csv")
        self.membership = Membership.objects.get(user=people.bob, team=people.team)
        self.credential = people.credential
        # Strings that only alice's team's pages contain.
        self.markers = [
            people.team.name,
            "acme-targets.csv",
            "Zyxwidget",
            "bob@example.com",
            people.credential.client_id,
            people.credential.client_secret,
        ]

    def codes(self) -> list[uuid.UUID]:
        return [
            self.job.code,
            self.job.upload.code,
            self.membership.code,
            self.people.team.code,
        ]

    def snapshot(self):
        team = self.people.team
        credential = ApiCredential.objects.filter(team=team).first()
        return {
            "members": sorted(
                Membership.objects.filter(team=team).values_list("user__email", "role")
            ),
            "credential": credential
            and (
                credential.client_id,
                credential.client_secret_encrypted,
                credential.signing_secret_encrypted,
            ),
            "changes": team.credential_changes.count(),
            "uploads": Upload.objects.filter(team=team).count(),
            "jobs": sorted(
                TechJob.objects.filter(team=team).values_list("pk", "status")
            ),
            "ledger": UsageEntry.objects.filter(team=team).count(),
            "quota": (team.quota.monthly_ids, team.quota.ids_per_job),
        }


@pytest.fixture
def victim(people):
    return Victim(people)


def _urls_for(name, params, codes, webhook_token):
    """Return the URLs to try for one URL name, one per value of its parameters."""
    if not params:
        return [reverse(name)]
    if params == {"code"}:
        return [reverse(name, kwargs={"code": code}) for code in codes]
    if params == {"token"}:
        return [reverse(name, kwargs={"token": webhook_token})]
    if params == {"code", "fmt"}:
        return [
            reverse(name, kwargs={"code": code, "fmt": fmt})
            for code in codes
            for fmt in exports.FORMATS
        ]
    raise AssertionError(
        f"The walk doesn't know how to fill {sorted(params)} of URL {name!r}: "
        "add them to _urls_for."
    )


def _send(client, method, url, htmx):
    headers = HTMX if htmx else {}
    return getattr(client, method)(url, headers=headers)


def test_walk_finds_the_team_urls():
    names = {name for name, _, _ in site_urls()}

    assert {"team", "team-credential", "job-detail", "switch-team"} <= names


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_outsider_gets_404_for_every_object(client, people, victim, htmx):
    client.force_login(people.olga)
    before = victim.snapshot()

    for name, _, params in site_urls():
        if not params or name in PUBLIC:
            continue
        for url in _urls_for(name, params, victim.codes(), victim.webhook_token):
            for method in METHODS:
                response = _send(client, method, url, htmx)
                assert response.status_code in (404, 405), (
                    f"{method.upper()} {url} gave {response.status_code}"
                )

    assert victim.snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_outsider_pages_show_nothing_of_other_team(client, people, victim, htmx):
    client.force_login(people.olga)
    before = victim.snapshot()

    for name, _, params in site_urls():
        if params or name in ("logout",):
            continue
        for method in METHODS:
            response = _send(client, method, reverse(name), htmx)
            # The health check returns 503 while the simulator isn't running.
            if name != "healthz":
                assert response.status_code < 500, f"{method.upper()} {name}"
            body = b"".join(response) if response.streaming else response.content
            for marker in victim.markers:
                assert marker.encode() not in body, f"{name} shows {marker!r}"

    assert victim.snapshot() == before


def test_outsider_can_not_switch_to_other_team(client, people, victim):
    client.force_login(people.olga)

    response = client.post(reverse("switch-team", args=[people.team.code]))
    dashboard = client.get(reverse("dashboard"))

    assert response.status_code == 404
    assert people.team.name.encode() not in dashboard.content
    assert people.other_team.name.encode() in dashboard.content


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_viewer_reads_but_changes_nothing(client, people, victim, htmx):
    client.force_login(people.vera)
    before = victim.snapshot()
    own_codes = victim.codes()

    for name, _, params in site_urls():
        if name in PUBLIC:
            continue
        for url in _urls_for(name, params, own_codes, victim.webhook_token):
            if name not in VIEWER_MAY_POST:
                response = _send(client, "post", url, htmx)
                assert response.status_code in (403, 404, 405), (
                    f"POST {url} by a viewer gave {response.status_code}"
                )
            response = _send(client, "get", url, htmx)
            assert response.status_code < 500, f"GET {url}"

    assert victim.snapshot() == before


@pytest.mark.parametrize(
    "name", ["dashboard", "team", "upload-detail", "job-detail", "job-results"]
)
def test_viewer_can_review(client, people, victim, name):
    client.force_login(people.vera)
    args = {
        "upload-detail": [victim.job.upload.code],
        "job-detail": [victim.job.code],
        "job-results": [victim.job.code, "csv"],
    }.get(name, [])

    response = client.get(reverse(name, args=args))

    assert response.status_code == 200


def test_non_staff_get_no_admin_page(client, people, victim):
    values = {
        "object_id": str(victim.job.pk),
        "content_type_id": "1",
        "id": str(people.alice.pk),
        "app_label": "accounts",
    }

    for user in (people.olga, people.vera):
        client.force_login(user)
        for name, params in admin_urls():
            if name in ("login", "logout"):
                continue
            url = reverse(f"admin:{name}", kwargs={key: values[key] for key in params})
            response = client.get(url)
            assert response.status_code == 302, f"{url} gave {response.status_code}"
            assert response["Location"].startswith("/admin/login/")
