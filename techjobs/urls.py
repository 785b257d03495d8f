from django.urls import path

from . import health, views, webhook

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("jobs/new/", views.new_upload, name="new-upload"),
    path("jobs/new/preview/", views.preview_upload, name="upload-preview"),
    path("jobs/new/confirm/", views.confirm_upload, name="upload-confirm"),
    path("uploads/<uuid:code>/", views.upload_detail, name="upload-detail"),
    path(
        "uploads/<uuid:code>/results.<str:fmt>",
        views.upload_results,
        name="upload-results",
    ),
    path("jobs/<uuid:code>/", views.job_detail, name="job-detail"),
    path("jobs/<uuid:code>/cancel/", views.cancel_job, name="job-cancel"),
    path("jobs/<uuid:code>/results.<str:fmt>", views.job_results, name="job-results"),
    path(
        "webhooks/insideview/<str:token>/",
        webhook.receive_webhook,
        name="insideview-webhook",
    ),
    # A caller that drops the trailing slash must not get APPEND_SLASH's
    # redirect, which can't carry a POST body.
    path(
        "webhooks/insideview/<str:token>",
        webhook.receive_webhook,
        name="insideview-webhook-no-slash",
    ),
]
