"""Django settings of the simulator, a project separate from techjobs.

It has no database, sessions or templates. `python -m simulator` sets the
environment variables read here before Django starts.
"""

import os
import secrets

# Signs the results download links. A new key per process is enough, because the
# jobs those links point at live only in this process's memory.
SECRET_KEY = secrets.token_urlsafe(50)

DEBUG = False

ALLOWED_HOSTS = os.environ.get(
    "SIMULATOR_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]"
).split(",")

INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
TEMPLATES = []

ROOT_URLCONF = "simulator.urls"
WSGI_APPLICATION = None

USE_TZ = True
TIME_ZONE = "UTC"

# A job body contains at most 10,000 ids, well under this limit in bytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "simulator": {
            "handlers": ["stderr"],
            "level": os.environ.get("SIMULATOR_LOG_LEVEL", "WARNING").upper(),
        },
        # Client errors (4xx) are the simulator working as designed, so only
        # server errors are logged.
        "django.request": {"handlers": ["stderr"], "level": "ERROR"},
    },
}
