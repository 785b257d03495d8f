"""Login throttling, security headers and the production settings check."""

import os
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from tests.factories import make_job
from tests.support import ROOT

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _own_cache_prefix(settings):
    """Give each test its own key prefix in the real Redis cache."""
    settings.CACHES = {
        "default": {
            **django_settings.CACHES["default"],
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }


def _login(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _errors(response):
    return response.context["form"].non_field_errors() if response.context else []


class TestLoginThrottle:
    def test_locks_email_after_limit(self, client, people, settings):
        settings.LOGIN_FAILURES_PER_EMAIL = 3
        for _ in range(3):
            assert _login(client, "alice@example.com", "wrong").status_code == 200

        response = _login(client, "alice@example.com", people.password)

        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        [message] = _errors(response)
        assert message.startswith("Too many failed logins. Try again in 15 minute(s)")

    def test_lock_is_per_email_across_ips(self, client, people, settings):
        settings.LOGIN_FAILURES_PER_EMAIL = 3
        for n in range(3):
            _login(client, "alice@example.com", "wrong", ip=f"10.0.0.{n}")

        locked = _login(client, "alice@example.com", people.password, ip="10.9.9.9")
        other = _login(client, "bob@example.com", people.password, ip="10.9.9.9")

        assert "Too many failed logins" in str(_errors(locked))
        assert other.status_code == 302

    def test_locks_ip_after_limit(self, client, people, settings):
        settings.LOGIN_FAILURES_PER_IP = 4
        for n in range(4):
            _login(client, f"guess{n}@example.com", "wrong", ip="10.0.0.7")

        locked = _login(client, "bob@example.com", people.password, ip="10.0.0.7")
        elsewhere = _login(client, "bob@example.com", people.password, ip="10.0.0.8")

        assert "Too many failed logins" in str(_errors(locked))
        assert elsewhere.status_code == 302

    def test_success_clears_email_count(self, client, people, settings):
        settings.LOGIN_FAILURES_PER_EMAIL = 3
        for _ in range(2):
            _login(client, "bob@example.com", "wrong")
        assert _login(client, "bob@example.com", people.password).status_code == 302
        client.logout()
        for _ in range(2):
            _login(client, "bob@example.com", "wrong")

        response = _login(client, "bob@example.com", people.password)

        assert response.status_code == 302

    def test_lock_ends_with_window(self, client, people, settings):
        settings.LOGIN_FAILURES_PER_EMAIL = 2
        settings.LOGIN_FAILURE_WINDOW_SECONDS = 1
        for _ in range(2):
            _login(client, "bob@example.com", "wrong")
        assert _login(client, "bob@example.com", people.password).status_code == 200

        time.sleep(1.2)
        response = _login(client, "bob@example.com", people.password)

        assert response.status_code == 302

    def test_counts_are_in_redis(self, client, people):
        _login(client, "bob@example.com", "wrong", ip="10.1.2.3")

        assert isinstance(caches["default"], RedisCache)
        assert caches["default"].get("login-failures:ip:10.1.2.3") == 1

    def test_proxy_header_names_client(self, client, people, settings):
        settings.BEHIND_HTTPS_PROXY = True
        settings.LOGIN_FAILURES_PER_IP = 2
        for _ in range(2):
            client.post(
                LOGIN,
                {"username": "x@example.com", "password": "wrong"},
                headers={"X-Forwarded-For": "1.1.1.1, 10.20.30.40"},
            )

        locked = client.post(
            LOGIN,
            {"username": "bob@example.com", "password": people.password},
            headers={"X-Forwarded-For": "10.20.30.40"},
        )
        free = client.post(
            LOGIN,
            {"username": "bob@example.com", "password": people.password},
            headers={"X-Forwarded-For": "10.20.30.41"},
        )

        assert "Too many failed logins" in str(_errors(locked))
        assert free.status_code == 302


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in attrs:
            self.problems.append(f"style attribute on <{tag}>")
        for name in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"{name} handler on <{tag}>")


def test_pages_send_strict_csp(client, people):
    job, _ = make_job(people.team)
    client.force_login(people.alice)
    urls = [
        "/",
        reverse("team"),
        reverse("new-upload"),
        job.get_absolute_url(),
        job.upload.get_absolute_url(),
    ]

    for url in urls:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        finder = _InlineFinder()
        finder.feed(response.content.decode())
        assert finder.problems == [], url


def test_login_page_has_csp_and_htmx_config(client):
    response = client.get(LOGIN)

    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert b'"includeIndicatorStyles": false' in response.content
    assert response["X-Frame-Options"] == "DENY"


def test_https_proxy_marks_cookies_secure(client, people, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600

    page = client.get(LOGIN, headers={"X-Forwarded-Proto": "https"})
    response = client.post(
        LOGIN,
        {"username": "bob@example.com", "password": people.password},
        headers={"X-Forwarded-Proto": "https"},
    )

    assert page["Strict-Transport-Security"].startswith("max-age=3600")
    assert page.cookies["csrftoken"]["secure"]
    assert response.cookies["sessionid"]["secure"]
    assert response.cookies["sessionid"]["httponly"]


def _production_env():
    database = django_settings.DATABASES["default"]
    # The browser tests set this for their own process; a deployment never does.
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": "p" + uuid.uuid4().hex + uuid.uuid4().hex,
        "CREDENTIALS_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "techjobs.example.com",
        "BEHIND_HTTPS_PROXY": "true",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
    }


def test_deploy_check_is_clean():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_flags_debug():
    env = {**_production_env(), "DEBUG": "true", "SECURE_SSL_REDIRECT": "false"}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout
