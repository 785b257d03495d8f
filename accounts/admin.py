from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.utils.decorators import method_decorator
from django.views.decorators.debug import (
    sensitive_post_parameters,
    sensitive_variables,
)

from techjobs.ledger import current_month
from techjobs.models import UsageEntry

from . import credentials
from .models import (
    ApiCredential,
    CredentialChange,
    Invitation,
    Membership,
    Team,
    TeamQuota,
    User,
)

SECRET_FIELDS = ("client_secret", "signing_secret")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "team_count",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["email", "full_name", "memberships__team__name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["full_name"]}),
        (
            "Permissions",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "password1", "password2"],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(team_count=Count("memberships", distinct=True))
        )

    @admin.display(ordering="team_count", description="Teams")
    def team_count(self, user):
        return user.team_count


class MembershipFormSet(BaseInlineFormSet):
    """Keep at least one owner in a team that has members."""

    def clean(self):
        super().clean()
        remaining = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        owners = [
            data for data in remaining if data.get("role") == Membership.Role.OWNER
        ]
        if remaining and not owners:
            raise forms.ValidationError(
                "A team needs at least one owner. Make another member an owner "
                "before removing or demoting this one."
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    extra = 1
    autocomplete_fields = ["user"]


class TeamQuotaInline(admin.StackedInline):
    model = TeamQuota
    can_delete = False


class CredentialChangeInline(admin.TabularInline):
    model = CredentialChange
    fields = ["created_at", "user", "action", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-created_at", "-pk"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count", "has_credential", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "memberships__user__email"]
    readonly_fields = ["code", "created_at"]

    def get_inlines(self, request, obj):
        # A new team gets its quota row when it is saved, so the add form
        # must not create a second one.
        if obj is None:
            return [MembershipInline]
        return [MembershipInline, TeamQuotaInline, CredentialChangeInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("credential")
            .annotate(member_count=Count("memberships", distinct=True))
        )

    @admin.display(ordering="member_count", description="Members")
    def member_count(self, team):
        return team.member_count

    @admin.display(boolean=True, description="Credential")
    def has_credential(self, team):
        return hasattr(team, "credential")


class CredentialForm(forms.ModelForm):
    """Secrets are write-only: a blank field keeps the stored value."""

    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the stored secret.",
    )
    signing_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Webhook signing secret, optional. Blank to keep the stored one.",
    )
    remove_signing_secret = forms.BooleanField(
        required=False, label="Remove the webhook signing secret"
    )

    class Meta:
        model = ApiCredential
        fields = ["team", "client_id"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("client_secret"):
            self.add_error("client_secret", "A new credential needs its client secret.")
        return cleaned


@admin.register(ApiCredential)
class ApiCredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = [
        "team",
        "client_id",
        "masked_secret",
        "masked_signing_secret",
        "updated_at",
        "updated_by",
    ]
    list_select_related = ["team", "updated_by"]
    list_filter = ["updated_at"]
    search_fields = ["team__name", "client_id"]
    readonly_fields = [
        "masked_secret",
        "masked_signing_secret",
        "updated_at",
        "updated_by",
        "api_usage_month",
        "api_consumed_credits",
        "api_allocated_credits",
        "api_usage_read_at",
        "api_usage_error",
    ]

    def get_readonly_fields(self, request, obj=None):
        # A credential belongs to one team for good; moving it would hand the
        # secret to another team.
        return [*self.readonly_fields, "team"] if obj else self.readonly_fields

    @method_decorator(sensitive_post_parameters(*SECRET_FIELDS))
    def changeform_view(self, request, *args, **kwargs):
        return super().changeform_view(request, *args, **kwargs)

    @admin.display(description="Client secret")
    def masked_secret(self, credential):
        return credentials.mask(credential.secret_last4)

    @admin.display(description="Signing secret")
    def masked_signing_secret(self, credential):
        return credentials.mask(credential.signing_last4)

    @sensitive_variables("data")
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = credentials.save_credential(
            team=obj.team,
            user=request.user,
            client_id=data["client_id"],
            client_secret=data.get("client_secret", ""),
            signing_secret=data.get("signing_secret", ""),
            remove_signing_secret=data.get("remove_signing_secret", False),
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        credentials.delete_credential(team=obj.team, user=request.user)

    def delete_queryset(self, request, queryset):
        for credential in queryset.select_related("team"):
            credentials.delete_credential(team=credential.team, user=request.user)


@admin.register(CredentialChange)
class CredentialChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "team", "user", "action", "detail"]
    list_select_related = ["team", "user"]
    list_filter = ["action", "created_at"]
    search_fields = ["team__name", "user__email", "detail"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _month_sum(kind: str) -> Coalesce:
    entries = (
        UsageEntry.objects.filter(team=OuterRef("team"), month=current_month())
        .filter(kind=kind)
        .values("team")
        .annotate(total=Sum("ids"))
        .values("total")
    )
    return Coalesce(Subquery(entries, output_field=IntegerField()), 0)


@admin.register(TeamQuota)
class TeamQuotaAdmin(admin.ModelAdmin):
    list_display = [
        "team",
        "monthly_ids",
        "spent_this_month",
        "consumed_this_month",
        "api_consumed",
        "matches_api",
        "ids_per_job",
        "running_jobs",
        "requests_per_window",
    ]
    list_editable = [
        "monthly_ids",
        "ids_per_job",
        "running_jobs",
        "requests_per_window",
    ]
    list_select_related = ["team", "team__credential"]
    search_fields = ["team__name"]
    list_filter = ["running_jobs"]
    readonly_fields = ["team"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        kind = UsageEntry.Kind
        return (
            super()
            .get_queryset(request)
            .annotate(
                reserved=_month_sum(kind.RESERVE),
                refunded=_month_sum(kind.REFUND),
                consumed=_month_sum(kind.CONSUME),
            )
        )

    @admin.display(description="Used or reserved this month")
    def spent_this_month(self, quota):
        return f"{quota.reserved - quota.refunded:,}"

    @admin.display(ordering="consumed", description="Consumed (our ledger)")
    def consumed_this_month(self, quota):
        return f"{quota.consumed:,}"

    @admin.display(description="Consumed (InsideView)")
    def api_consumed(self, quota):
        credential = getattr(quota.team, "credential", None)
        if credential is None or credential.api_usage_read_at is None:
            return "not read yet"
        return (
            f"{credential.api_consumed_credits:,} of "
            f"{credential.api_allocated_credits:,}, read "
            f"{credential.api_usage_read_at:%Y-%m-%d %H:%M}"
        )

    @admin.display(boolean=True, description="Matches InsideView")
    def matches_api(self, quota):
        """Return whether InsideView's count equals ours, or None if unknown.

        InsideView counts all teams sharing the client id and may lag calls
        of the last five minutes, so a difference is a prompt to look, not
        proof of an error.
        """
        credential = getattr(quota.team, "credential", None)
        if credential is None or credential.api_usage_month != current_month():
            return None
        return credential.api_consumed_credits == quota.consumed


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "invited_by", "created_at"]
    list_select_related = ["team", "invited_by"]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    readonly_fields = ["invited_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.invited_by = request.user
        super().save_model(request, obj, form, change)
