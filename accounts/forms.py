from datetime import UTC, datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from . import throttle
from .models import Membership

SECRET_MIN_LENGTH = 8


class LoginForm(AuthenticationForm):
    """The login form, rejecting attempts while an email or IP is locked out."""

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request)
        lockout = throttle.check(email, ip)
        if lockout:
            retry_at = timezone.localtime(datetime.fromtimestamp(lockout.retry_at, UTC))
            raise forms.ValidationError(
                "Too many failed logins. Try again in %(minutes)s minute(s), "
                "after %(time)s.",
                code="throttled",
                params={
                    "minutes": lockout.minutes_left,
                    "time": f"{retry_at:%H:%M %Z}",
                },
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(email, ip)
            raise
        throttle.clear(email)
        return cleaned


class InviteForm(forms.Form):
    """An invitation to the team.

    Its messages are the same whether or not the email has an account, so
    owners can't use it to find out who has one.
    """

    email = forms.EmailField(label="Invite by email")
    role = forms.ChoiceField(choices=Membership.Role.choices)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(
            team=self.team, user__email__iexact=email
        ).exists():
            raise forms.ValidationError(
                "%(email)s is already a member of this team.", params={"email": email}
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class CredentialForm(forms.Form):
    """The credential as an owner sets it; blank secrets keep the stored ones."""

    client_id = forms.CharField(max_length=200)
    client_secret = forms.CharField(
        required=False,
        min_length=SECRET_MIN_LENGTH,
        widget=forms.PasswordInput(render_value=False),
    )
    signing_secret = forms.CharField(
        required=False,
        min_length=SECRET_MIN_LENGTH,
        label="Webhook signing secret",
        widget=forms.PasswordInput(render_value=False),
    )
    remove_signing_secret = forms.BooleanField(
        required=False, label="Remove the webhook signing secret"
    )

    def __init__(self, *args, credential=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.credential = credential
        if credential is None:
            self.fields["client_secret"].required = True
        self.fields["client_secret"].help_text = (
            "Leave blank to keep the stored secret."
            if credential
            else f"At least {SECRET_MIN_LENGTH} characters."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("signing_secret") and cleaned.get("remove_signing_secret"):
            raise forms.ValidationError(
                "Either set a new signing secret or remove it, not both."
            )
        return cleaned
