import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team


def hash_webhook_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Upload(models.Model):
    """One list of company ids a user confirmed, split into jobs of the allowed size."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="uploads")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="uploads"
    )
    source = models.CharField(max_length=255, help_text="'paste' or the file name.")
    report = models.JSONField(
        default=dict, help_text="The parse report shown in the preview."
    )
    ids = ArrayField(models.CharField(max_length=20))
    # The preview that produced this upload; unique so a double-clicked
    # confirm creates one upload, not two.
    preview_token = models.UUIDField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("upload-detail", args=[self.code])

    @property
    def title(self) -> str:
        """Name the upload by its file, or as a pasted list with its date."""
        if self.source != "paste":
            return self.source
        confirmed = timezone.localtime(self.created_at)
        return f"Pasted list of {confirmed:%-d %b %Y, %H:%M}"


class TechJob(models.Model):
    """One InsideView techProfile job of at most 10,000 company ids."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SUBMITTING = "submitting", "Submitting"
        ACCEPTED = "accepted", "Accepted"
        PROCESSING = "processing", "Processing"
        FINISHED = "finished", "Finished, fetching results"
        RESULTS_READY = "results_ready", "Results ready"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"
        ABORTED = "aborted", "Aborted"
        FAILED = "failed", "Failed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="jobs")
    upload = models.ForeignKey(Upload, models.CASCADE, related_name="jobs")
    sequence = models.PositiveIntegerField(
        help_text="Position of this job in its upload, from 1."
    )
    ids = ArrayField(models.CharField(max_length=20))
    id_count = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    insideview_job_id = models.CharField(
        max_length=64, null=True, blank=True, unique=True
    )
    total_processed = models.PositiveIntegerField(default=0)
    webhook_token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    check_count = models.PositiveIntegerField(default=0)
    error_number = models.CharField(max_length=20, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["upload", "sequence"], name="one_job_per_slot"
            )
        ]

    def __str__(self):
        return f"Job {self.sequence} of {self.upload} ({self.status})"

    def get_absolute_url(self):
        return reverse("job-detail", args=[self.code])

    def issue_webhook_token(self) -> str:
        """Set a new webhook token and return it; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        self.webhook_token_hash = hash_webhook_token(token)
        return token

    @property
    def has_ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def ledger_outcome(self) -> str:
        """Return "consume", "refund" or "reserve": where the job's ids stand."""
        kinds = {entry.kind for entry in self.usage_entries.all()}
        for kind in (UsageEntry.Kind.CONSUME, UsageEntry.Kind.REFUND):
            if kind in kinds:
                return kind
        return UsageEntry.Kind.RESERVE


S = TechJob.Status
RUNNING_STATUSES = (S.SUBMITTING, S.ACCEPTED, S.PROCESSING)
ENDED_STATUSES = (S.RESULTS_READY, S.CANCELLED, S.REJECTED, S.ABORTED, S.FAILED)


class JobEvent(models.Model):
    """An append-only line of a job's history."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Status change"
        SUBMITTED = "submitted", "Submitted"
        WEBHOOK = "webhook", "Webhook delivery"
        POLL = "poll", "Status check"
        API_ERROR = "api_error", "API error"
        RESULTS = "results", "Results stored"
        IGNORED = "ignored", "Stale status ignored"

    class Source(models.TextChoices):
        USER = "user", "User"
        WORKER = "worker", "Worker"
        WEBHOOK = "webhook", "Webhook"
        BEAT = "beat", "Scheduled check"
        ADMIN = "admin", "Admin"

    job = models.ForeignKey(TechJob, models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of job {self.job_id}"


class ResultFile(models.Model):
    """The results file exactly as the API sent it, kept so loading can be redone."""

    job = models.OneToOneField(TechJob, models.CASCADE, related_name="result_file")
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    fetched_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Results file of job {self.job_id}"


class TechResult(models.Model):
    """One installed product of one company, as normalized from a results file."""

    job = models.ForeignKey(TechJob, models.CASCADE, related_name="results")
    company_id = models.CharField(max_length=20)
    category = models.CharField(max_length=200, blank=True)
    sub_category = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=200, blank=True)
    vendor = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "company_id"])]

    def __str__(self):
        return f"{self.company_id}: {self.product}"


class UsageEntry(models.Model):
    """A line of a team's usage ledger; usage is the sum of its lines.

    A job reserves its id count on confirmation, then either consumes the
    reservation when InsideView starts processing or gets it refunded when it
    ends before that. The constraint lets each kind happen once per job.
    """

    class Kind(models.TextChoices):
        RESERVE = "reserve", "Reserve"
        CONSUME = "consume", "Consume"
        REFUND = "refund", "Refund"

    team = models.ForeignKey(Team, models.CASCADE, related_name="usage_entries")
    job = models.ForeignKey(TechJob, models.CASCADE, related_name="usage_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    ids = models.PositiveIntegerField()
    month = models.DateField(help_text="First day of the month the ids count against.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name_plural = "usage entries"
        constraints = [
            models.UniqueConstraint(
                fields=["job", "kind"], name="one_ledger_entry_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.ids} ids for job {self.job_id}"
