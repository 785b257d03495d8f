import uuid

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from . import crypto

API_MAX_IDS_PER_JOB = 10_000


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

    @property
    def quota(self) -> "TeamQuota":
        quota, _ = TeamQuota.objects.get_or_create(team=self)
        return quota


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"
        VIEWER = "viewer", "Viewer"

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
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Jobs at InsideView at once; the API processes 2 per account.",
    )
    requests_per_window = models.PositiveIntegerField(
        default=1000,
        validators=[MinValueValidator(1)],
        help_text="API requests per 5-minute throttling window.",
    )

    def __str__(self):
        return f"Quota of {self.team}"
