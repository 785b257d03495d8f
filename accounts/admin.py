from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count

from .models import ApiCredential, Membership, Team, TeamQuota, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class TeamQuotaInline(admin.StackedInline):
    model = TeamQuota
    can_delete = False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count", "created_at"]
    search_fields = ["name"]

    def get_inlines(self, request, obj):
        # A new team gets its quota row when it is saved, so the add form
        # must not create a second one.
        return [MembershipInline, TeamQuotaInline] if obj else [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(ordering="member_count", description="Members")
    def member_count(self, team):
        return team.member_count


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

    class Meta:
        model = ApiCredential
        fields = ["team", "client_id"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("client_secret"):
            self.add_error("client_secret", "A new credential needs its client secret.")
        return cleaned

    def save(self, commit=True):
        credential = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            credential.set_client_secret(self.cleaned_data["client_secret"])
        if self.cleaned_data.get("signing_secret"):
            credential.set_signing_secret(self.cleaned_data["signing_secret"])
        if commit:
            credential.save()
        return credential


@admin.register(ApiCredential)
class ApiCredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = ["team", "client_id", "masked_secret", "updated_at", "updated_by"]
    list_select_related = ["team", "updated_by"]
    search_fields = ["team__name", "client_id"]
    readonly_fields = ["masked_secret", "updated_at", "updated_by"]

    @admin.display(description="Client secret")
    def masked_secret(self, credential):
        return f"••••{credential.secret_last4}" if credential.secret_last4 else "—"

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
