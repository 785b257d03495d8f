"""Stored secrets: encryption, key rotation, and keeping them out of reports."""

import io
import logging
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.core.signals import got_request_exception
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

from accounts import crypto, views
from accounts.credentials import check_connection
from accounts.models import ApiCredential
from tests.conftest import TEST_ACCOUNT

pytestmark = pytest.mark.django_db

SECRET = "very-private-secret-7391"
SIGNING = "signing-private-secret-2814"


def _report(request, exc_info) -> str:
    reporter = ExceptionReporter(request, *exc_info)
    return reporter.get_traceback_text() + reporter.get_traceback_html()


def test_forced_error_report_hides_secrets(people, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ApiCredential, "save", broken_save)
    request = RequestFactory().post(
        reverse("team-credential"),
        {"client_id": "acme", "client_secret": SECRET, "signing_secret": SIGNING},
    )
    request.user = people.alice
    request.session = {}
    request._membership = people.alice.memberships.get()
    request.htmx = False

    with pytest.raises(RuntimeError) as raised:
        views.save_credential(request)
    report = _report(request, (raised.type, raised.value, raised.tb))

    assert "database went away" in report
    assert SECRET not in report
    assert SIGNING not in report
    assert "client_secret" in report


def test_admin_error_report_hides_secrets(client, people, monkeypatch):
    people.alice.is_staff = people.alice.is_superuser = True
    people.alice.save()
    client.force_login(people.alice)
    client.raise_request_exception = False
    reports = []

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    def record(sender, request, **kwargs):
        reports.append(_report(request, sys.exc_info()))

    monkeypatch.setattr(ApiCredential, "save", broken_save)
    got_request_exception.connect(record)
    try:
        response = client.post(
            f"/admin/accounts/apicredential/{people.credential.pk}/change/",
            {"client_id": "acme", "client_secret": SECRET, "signing_secret": SIGNING},
        )
    finally:
        got_request_exception.disconnect(record)

    assert response.status_code == 500
    assert len(reports) == 1
    assert "database went away" in reports[0]
    assert SECRET not in reports[0]
    assert SIGNING not in reports[0]


def test_connection_test_logs_no_secret(people, simulator_url, caplog):
    caplog.set_level(logging.DEBUG)
    people.credential.set_client_secret(SECRET)
    people.credential.save()

    result = check_connection(people.credential)

    assert not result.ok
    assert caplog.records
    assert SECRET not in caplog.text


def test_connection_test_succeeds_without_logging_secret(people, simulator_url, caplog):
    caplog.set_level(logging.DEBUG)

    result = check_connection(people.credential)

    assert result.ok
    assert TEST_ACCOUNT[1] not in caplog.text


def test_cached_token_is_encrypted(people, simulator_url):
    check_connection(people.credential)

    credential = ApiCredential.objects.get(pk=people.credential.pk)
    token = credential.cached_access_token()
    assert token
    assert token not in credential.access_token_encrypted
    assert crypto.decrypt(credential.access_token_encrypted) == token


def test_admin_list_masks_secrets(client, people):
    people.alice.is_staff = people.alice.is_superuser = True
    people.alice.save()
    client.force_login(people.alice)
    people.credential.set_signing_secret(SIGNING)
    people.credential.save()

    response = client.get("/admin/accounts/apicredential/")

    assert TEST_ACCOUNT[1].encode() not in response.content
    assert SIGNING.encode() not in response.content
    assert people.credential.client_secret_encrypted.encode() not in response.content


class TestRotation:
    @pytest.fixture
    def keys(self, settings):
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        settings.CREDENTIALS_KEYS = [old]
        return settings, old, new

    def _stored(self, team):
        credential = ApiCredential.objects.get(team=team)
        return [
            credential.client_secret_encrypted,
            credential.signing_secret_encrypted,
            credential.access_token_encrypted,
        ]

    def _credential(self, people, expires_at):
        credential = ApiCredential.objects.get(team=people.team)
        credential.set_client_secret(SECRET)
        credential.set_signing_secret(SIGNING)
        credential.save()
        credential.store_access_token("token-abc", expires_at)
        return credential

    def test_old_key_still_decrypts(self, people, keys):
        settings, old, new = keys
        self._credential(people, None)

        settings.CREDENTIALS_KEYS = [new, old]

        assert ApiCredential.objects.get(team=people.team).client_secret == SECRET

    def test_command_reencrypts_with_newest(self, people, keys):
        settings, old, new = keys
        expires = timezone.now() + timezone.timedelta(hours=1)
        self._credential(people, expires)
        before = self._stored(people.team)

        settings.CREDENTIALS_KEYS = [new, old]
        call_command("rotate_credentials", stdout=io.StringIO())
        after = self._stored(people.team)
        settings.CREDENTIALS_KEYS = [new]
        credential = ApiCredential.objects.get(team=people.team)

        assert all(a != b for a, b in zip(after, before, strict=True))
        assert credential.client_secret == SECRET
        assert credential.signing_secret == SIGNING
        assert credential.cached_access_token() == "token-abc"
        for value in after:
            assert Fernet(new.encode()).decrypt(value.encode())
        settings.CREDENTIALS_KEYS = [old]
        with pytest.raises(crypto.CredentialKeyError):
            _ = ApiCredential.objects.get(team=people.team).client_secret

    def test_command_fails_on_unknown_key(self, people, keys):
        settings, old, new = keys
        self._credential(people, None)

        settings.CREDENTIALS_KEYS = [new]
        with pytest.raises(CommandError, match="Acme analytics"):
            call_command("rotate_credentials", stdout=io.StringIO())
