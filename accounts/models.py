import uuid

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from . import crypto

API_MAX_IDS_PER_JOB = 10_000
API_MAX_RUNNING_JOBS = 2


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Team(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Save the team, and give a new team its quota row with the defaults."""
        adding = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding:
                TeamQuota.objects.create(team=self)

    @property
    def quota(self) -> "TeamQuota":
        return self.quota_row


class LastOwnerError(Exception):
    """A change would leave a team without an owner."""


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"
        VIEWER = "viewer", "Viewer"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], name="one_membership_per_team"
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def can_submit(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.MEMBER)

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER

    def change_role(self, role: str) -> None:
        """Set the role; raise LastOwnerError if the team would lose its last owner."""
        with transaction.atomic():
            if role != self.Role.OWNER:
                self._lock_team_unless_other_owner()
            Membership.objects.filter(pk=self.pk).update(role=role)
            self.role = role

    def remove(self) -> None:
        """Delete the membership, raising LastOwnerError for the team's last owner."""
        with transaction.atomic():
            self._lock_team_unless_other_owner()
            self.delete()

    def _lock_team_unless_other_owner(self) -> None:
        # Locking the team row serializes membership changes in one team, so
        # two owners demoting each other at once can't both succeed.
        Team.objects.select_for_update().get(pk=self.team_id)
        current = Membership.objects.get(pk=self.pk)
        if current.role != self.Role.OWNER:
            return
        others = Membership.objects.filter(team_id=self.team_id, role=self.Role.OWNER)
        if not others.exclude(pk=self.pk).exists():
            raise LastOwnerError(
                f"{self.user} is the only owner of {self.team}. "
                "Make another member an owner first."
            )


class ApiCredential(models.Model):
    """A team's InsideView client id and secret, with the cached access token.

    The secret and the token are stored Fernet-encrypted and are only read
    through the properties below; nothing renders them back.
    """

    team = models.OneToOneField(Team, models.CASCADE, related_name="credential")
    client_id = models.CharField(max_length=200)
    client_secret_encrypted = models.TextField()
    signing_secret_encrypted = models.TextField(blank=True)
    access_token_encrypted = models.TextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    secret_last4 = models.CharField(max_length=4, blank=True)
    signing_last4 = models.CharField(max_length=4, blank=True)
    # The account's consumed credits as GET /api/v1/admin/usage last reported
    # them, read by a periodic task to compare with the team's own ledger.
    api_usage_month = models.DateField(null=True, blank=True)
    api_consumed_credits = models.PositiveIntegerField(null=True, blank=True)
    api_allocated_credits = models.PositiveIntegerField(null=True, blank=True)
    api_usage_read_at = models.DateTimeField(null=True, blank=True)
    api_usage_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    def __str__(self):
        return f"InsideView credential of {self.team}"

    @property
    def client_secret(self) -> str:
        return crypto.decrypt(self.client_secret_encrypted)

    def set_client_secret(self, secret: str) -> None:
        self.client_secret_encrypted = crypto.encrypt(secret)
        self.secret_last4 = secret[-4:]
        self.access_token_encrypted = ""
        self.access_token_expires_at = None

    @property
    def signing_secret(self) -> str:
        if not self.signing_secret_encrypted:
            return ""
        return crypto.decrypt(self.signing_secret_encrypted)

    def set_signing_secret(self, secret: str) -> None:
        self.signing_secret_encrypted = crypto.encrypt(secret) if secret else ""
        self.signing_last4 = secret[-4:] if secret else ""

    def rotate_keys(self) -> None:
        """Re-encrypt the secrets and the cached token with the newest key."""
        with transaction.atomic():
            row = ApiCredential.objects.select_for_update().get(pk=self.pk)
            changes = {}
            for field in ENCRYPTED_FIELDS:
                value = getattr(row, field)
                if value:
                    changes[field] = crypto.rotate(value)
            ApiCredential.objects.filter(pk=self.pk).update(**changes)
        for field, value in changes.items():
            setattr(self, field, value)

    def cached_access_token(self) -> str | None:
        """Return the cached token while it has more than a minute to live."""
        if not self.access_token_encrypted or self.access_token_expires_at is None:
            return None
        if self.access_token_expires_at - timezone.now() < timezone.timedelta(
            minutes=1
        ):
            return None
        return crypto.decrypt(self.access_token_encrypted)

    def store_access_token(self, token: str, expires_at) -> None:
        self.access_token_encrypted = crypto.encrypt(token)
        self.access_token_expires_at = expires_at
        ApiCredential.objects.filter(pk=self.pk).update(
            access_token_encrypted=self.access_token_encrypted,
            access_token_expires_at=expires_at,
        )

    def forget_access_token(self) -> None:
        self.access_token_encrypted = ""
        self.access_token_expires_at = None
        ApiCredential.objects.filter(pk=self.pk).update(
            access_token_encrypted="", access_token_expires_at=None
        )


ENCRYPTED_FIELDS = (
    "client_secret_encrypted",
    "signing_secret_encrypted",
    "access_token_encrypted",
)


class CredentialChange(models.Model):
    """A change to a team's InsideView credential, with its author and time."""

    class Action(models.TextChoices):
        CREATED = "created", "Credential added"
        CLIENT_ID = "client_id", "Client id changed"
        CLIENT_SECRET = "client_secret", "Client secret replaced"
        SIGNING_SECRET_SET = "signing_set", "Webhook signing secret set"
        SIGNING_SECRET_REMOVED = "signing_removed", "Webhook signing secret removed"
        DELETED = "deleted", "Credential removed"

    team = models.ForeignKey(Team, models.CASCADE, related_name="credential_changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(
        max_length=300,
        blank=True,
        help_text="What changed, with secrets masked to their last four characters.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} for {self.team} by {self.user}"


class TeamQuota(models.Model):
    """A team's limits, mirroring the transaction limits of its InsideView licence."""

    team = models.OneToOneField(Team, models.CASCADE, related_name="quota_row")
    monthly_ids = models.PositiveIntegerField(
        default=100_000, help_text="Company ids the team may submit per calendar month."
    )
    ids_per_job = models.PositiveIntegerField(
        default=API_MAX_IDS_PER_JOB,
        validators=[MinValueValidator(1), MaxValueValidator(API_MAX_IDS_PER_JOB)],
        help_text="Company ids in one InsideView job; the API accepts at most 10,000.",
    )
    running_jobs = models.PositiveSmallIntegerField(
        default=API_MAX_RUNNING_JOBS,
        validators=[MinValueValidator(1), MaxValueValidator(API_MAX_RUNNING_JOBS)],
        help_text="Jobs at InsideView at once; the API processes 2 per account.",
    )
    requests_per_window = models.PositiveIntegerField(
        default=1000,
        validators=[MinValueValidator(1)],
        help_text="API requests per 5-minute throttling window.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ids_per_job__gte=1)
                & models.Q(ids_per_job__lte=API_MAX_IDS_PER_JOB),
                name="ids_per_job_within_api_limit",
            ),
            models.CheckConstraint(
                condition=models.Q(running_jobs__gte=1)
                & models.Q(running_jobs__lte=API_MAX_RUNNING_JOBS),
                name="running_jobs_within_api_limit",
            ),
        ]

    def __str__(self):
        return f"Quota of {self.team}"


class Invitation(models.Model):
    """An owner's offer of a role in a team, waiting for the invited user.

    Nobody joins a team without accepting: a team's members see its lists,
    and a member's uploads go to whichever team they have picked.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "email"], name="one_invitation_per_email"
            )
        ]

    def __str__(self):
        return f"{self.email} invited to {self.team} as {self.role}"

    def accept(self, user) -> Membership:
        """Make the user a member with the offered role and use up the invitation."""
        with transaction.atomic():
            membership, _ = Membership.objects.get_or_create(
                team=self.team, user=user, defaults={"role": self.role}
            )
            self.delete()
        return membership
