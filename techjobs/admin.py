from django.contrib import admin, messages

from .models import JobEvent, TechJob, Upload, UsageEntry


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
    list_filter = ["status", "team"]
    list_select_related = ["team"]
    search_fields = ["code", "insideview_job_id", "upload__source"]
    exclude = ["ids", "webhook_token_hash"]
    inlines = [JobEventInline]
    actions = ["check_status_now"]

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


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ["source", "team", "created_by", "created_at"]
    list_select_related = ["team", "created_by"]
    list_filter = ["team"]
    search_fields = ["source", "code"]
    exclude = ["ids"]


@admin.register(UsageEntry)
class UsageEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "team", "job", "kind", "ids", "month"]
    list_select_related = ["team", "job"]
    list_filter = ["kind", "team", "month"]
