"""Settings for techjobs, read from environment variables with local defaults.

The defaults match the project-local PostgreSQL and Redis that the Makefile
starts under .var/, and the simulator that `make run` starts on port 8100.
"""

import base64
import hashlib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "insecure-local-development-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "accounts",
    "techjobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "techjobs.middleware.HtmxLoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.current_team",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:54329/techjobs"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# A pasted list of 100,000 ids is about 1 MB. The upload view rejects a
# larger request body with a message in the page instead of an error page.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True

# Behind a proxy that ends TLS, Django learns from the proxy's
# X-Forwarded-Proto header that the request came over HTTPS. Only set this
# when the proxy overwrites that header, or any client could claim HTTPS.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is opt-in: browsers keep the domain HTTPS-only for months
    # after it is removed from the list.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
X_FRAME_OPTIONS = "DENY"

# Sent by accounts.middleware.ContentSecurityPolicyMiddleware. No inline
# scripts or styles: templates load static files only, and base.html turns
# off the inline style htmx would add.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Failed logins allowed per email and per client IP in a window of
# LOGIN_FAILURE_WINDOW_SECONDS, counted in the default cache (Redis).
LOGIN_FAILURES_PER_EMAIL = env_int("LOGIN_FAILURES_PER_EMAIL", 5)
LOGIN_FAILURES_PER_IP = env_int("LOGIN_FAILURES_PER_IP", 50)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # urllib3 logs each request line at DEBUG, and the token request
        # carries the client secret in its query string.
        "urllib3": {"level": "WARNING"},
        # Celery logs every task received and finished at INFO, which buries
        # everything else; TASK_LOG_LEVEL=INFO shows them again.
        "celery.app.trace": {"level": env_str("TASK_LOG_LEVEL", "WARNING")},
        "celery.worker.strategy": {"level": env_str("TASK_LOG_LEVEL", "WARNING")},
    },
}

# Fernet keys for credentials at rest, newest first: the first key encrypts,
# every key decrypts, so rotating means putting a new key in front.
_DEV_CREDENTIALS_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(SECRET_KEY.encode()).digest()
).decode()
CREDENTIALS_KEYS = env_list("CREDENTIALS_KEYS", [_DEV_CREDENTIALS_KEY] if DEBUG else [])
if not CREDENTIALS_KEYS:
    raise ImproperlyConfigured("CREDENTIALS_KEYS must be set when DEBUG is off.")

INSIDEVIEW_API_URL = env_str("INSIDEVIEW_API_URL", "http://127.0.0.1:8100").rstrip("/")
INSIDEVIEW_AUTH_URL = env_str("INSIDEVIEW_AUTH_URL", INSIDEVIEW_API_URL).rstrip("/")
# Seconds to wait for a connection and for each read from the InsideView API.
INSIDEVIEW_CONNECT_TIMEOUT = env_float("INSIDEVIEW_CONNECT_TIMEOUT", 5.0)
INSIDEVIEW_READ_TIMEOUT = env_float("INSIDEVIEW_READ_TIMEOUT", 30.0)

# Maximum run time of one submission attempt, in seconds. An attempt makes up
# to two token requests and two submits (a 401 fetches a new token once), each
# bounded by the timeouts above. An attempt is stopped after this time, so a
# submission still unconfirmed can then be sent again without running twice.
JOB_SUBMIT_TIME_LIMIT = env_float(
    "JOB_SUBMIT_TIME_LIMIT",
    4 * (INSIDEVIEW_CONNECT_TIMEOUT + INSIDEVIEW_READ_TIMEOUT) + 10,
)

# The address InsideView uses to reach this site's webhook view.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# A running job with no status change for this many seconds is polled.
JOB_POLL_AFTER_SECONDS = env_int("JOB_POLL_AFTER_SECONDS", 15)

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:63790/0")
# Shared state of all web processes: the login failure counters.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "techjobs",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task acked late goes back to the queue if its worker dies; it must come
# back well after the longest task would have finished.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_BEAT_SCHEDULE = {
    "poll-stale-jobs": {
        "task": "techjobs.tasks.poll_stale_jobs",
        "schedule": env_float("BEAT_POLL_SECONDS", 5.0),
    },
    "read-api-usage": {
        "task": "accounts.tasks.read_api_usage",
        "schedule": env_float("BEAT_USAGE_SECONDS", 3600.0),
    },
}
