from celery.exceptions import CeleryError
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from kombu.exceptions import KombuError

from config.celery import app

from .insideview import ApiError, InsideViewClient


@login_not_required
@require_GET
def healthz(request):
    checks = {
        "database": _check_database(),
        "broker": _check_broker(),
        "insideview_api": _check_api(),
    }
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_broker() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except (OSError, KombuError, CeleryError) as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_api() -> str:
    try:
        InsideViewClient(credential=None).ping()
    except ApiError as exc:
        return f"error: {exc}"
    return "ok"
