from django.urls import path

from simulator import admin_views, inspect_views, job_views, views

JOBS = "api/v1/company/techProfile/job"

urlpatterns = [
    path("", views.health, name="health"),
    path("Auth/login/v1/token", views.issue_token, {"as_json": False}, name="token"),
    path(
        "Auth/login/v1/token.json",
        views.issue_token,
        {"as_json": True},
        name="token-json",
    ),
    path(JOBS, job_views.submit_job, name="submit-job"),
    path(f"{JOBS}/<str:job_id>", job_views.job_detail, name="job-detail"),
    path(f"{JOBS}/<str:job_id>/results", job_views.job_results, name="job-results"),
    path(
        "api/v1/company/<str:company_id>/techProfile",
        job_views.company_tech_profile,
        name="company-tech-profile",
    ),
    path("api/v1/admin/usage", admin_views.usage, name="admin-usage"),
    path("api/v1/admin/jobs", admin_views.list_jobs, name="admin-jobs"),
    path(
        "results/<str:job_type>/<str:job_id>/response/<str:file_name>",
        views.download_results,
        name="download-results",
    ),
    path("simulator/jobs", inspect_views.list_jobs, name="inspect-jobs"),
    path(
        "simulator/jobs/<str:job_id>",
        inspect_views.job_detail,
        name="inspect-job",
    ),
]

handler400 = views.bad_request
handler404 = views.not_found
handler500 = views.server_error
