from django.contrib import admin, messages

from . import services
from .models import JobEvent, TechJob, Upload, UsageEntry

S = TechJob.Status


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JobEventInline(admin.TabularInline):
    model = JobEvent
    fields = ["created_at", "kind", "source", "status", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TechJob)
class TechJobAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "team",
        "sequence",
        "id_count",
        "status",
        "insideview_job_id",
        "created_at",
    ]
    list_filter = ["status", "team", "created_at"]
    # The job's name shows its upload, so the upload joins the list query.
    list_select_related = ["team", "upload"]
    search_fields = ["code", "insideview_job_id", "upload__source", "team__name"]
    exclude = ["ids", "webhook_token_hash"]
    inlines = [JobEventInline]
    actions = ["check_status_now", "cancel_jobs"]

    @admin.action(
        description="Check the status with InsideView now", permissions=["view"]
    )
    def check_status_now(self, request, queryset):
        from .tasks import refresh_job

        jobs = list(
            queryset.exclude(insideview_job_id=None).values_list("pk", flat=True)
        )
        for job_id in jobs:
            refresh_job.delay(job_id, JobEvent.Source.ADMIN)
        self.message_user(
            request, f"Queued a status check for {len(jobs)} job(s).", messages.SUCCESS
        )

    @admin.action(description="Cancel the selected jobs", permissions=["view"])
    def cancel_jobs(self, request, queryset):
        cancelled, skipped = 0, []
        for job in queryset.select_related("team__credential"):
            message = f"Cancelled by {request.user} in the admin."
            if services.cancel_job(job, source=JobEvent.Source.ADMIN, message=message):
                cancelled += 1
            else:
                skipped.append(f"{job.code} ({job.get_status_display()})")
        if cancelled:
            self.message_user(
                request, f"Cancelled {cancelled} job(s).", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                "Not cancelled, because only queued jobs and jobs InsideView has "
                f"accepted but not started can be: {', '.join(skipped)}.",
                messages.WARNING,
            )


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ["source", "team", "created_by", "created_at"]
    list_select_related = ["team", "created_by"]
    list_filter = ["team", "created_at"]
    search_fields = ["source", "code", "team__name", "created_by__email"]
    exclude = ["ids"]


@admin.register(UsageEntry)
class UsageEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "team", "job", "kind", "ids", "month"]
    list_select_related = ["team", "job__upload"]
    list_filter = ["kind", "team", "month"]
    search_fields = ["team__name", "job__code"]
