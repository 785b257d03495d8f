from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from techjobs import ledger

from . import credentials, teams
from .forms import CredentialForm, InviteForm, RoleForm
from .models import ApiCredential, Invitation, LastOwnerError, Membership

SECRET_FIELDS = ("client_secret", "signing_secret")


@require_POST
def switch_team(request, code):
    teams.switch_team(request, code)
    return redirect("dashboard")


def _owner(request) -> Membership:
    membership = teams.require_membership(request)
    if not membership.is_owner:
        raise PermissionDenied("Only team owners can change members and credentials.")
    return membership


def _member_of_team(request, code) -> tuple[Membership, Membership]:
    """Return the requesting owner's membership and the team's membership `code`."""
    owner = _owner(request)
    target = get_object_or_404(
        Membership.objects.select_related("user", "team"), code=code, team=owner.team
    )
    return owner, target


@require_GET
def team_page(request):
    membership = teams.require_membership(request)
    team = membership.team
    credential = ApiCredential.objects.filter(team=team).first()
    context = {
        "members": team.memberships.select_related("user").order_by("user__email"),
        "credential": credential,
        "changes": team.credential_changes.select_related("user")[:20],
        "quota": team.quota,
        "usage": ledger.usage(team),
        "roles": Membership.Role.choices,
    }
    if membership.is_owner:
        context["invite_form"] = InviteForm(team=team)
        context["invitations"] = team.invitations.select_related("invited_by")
        context["credential_form"] = CredentialForm(
            credential=credential,
            initial={"client_id": credential.client_id if credential else ""},
        )
    return render(request, "accounts/team.html", context)


@require_POST
def invite_member(request):
    owner = _owner(request)
    form = InviteForm(request.POST, team=owner.team)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("team")

    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    Invitation.objects.update_or_create(
        team=owner.team,
        email=email,
        defaults={"role": role, "invited_by": request.user},
    )
    messages.success(
        request,
        f"Invited {email} as {role}. They join when they accept it after logging in.",
    )
    return redirect("team")


@require_POST
def revoke_invitation(request, code):
    owner = _owner(request)
    get_object_or_404(Invitation, code=code, team=owner.team).delete()
    messages.success(request, "Invitation withdrawn.")
    return redirect("team")


def _invitation_for_user(request, code) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("team"),
        code=code,
        email__iexact=request.user.email,
    )


@require_POST
def accept_invitation(request, code):
    invitation = _invitation_for_user(request, code)
    membership = invitation.accept(request.user)
    teams.switch_team(request, membership.team.code)
    messages.success(
        request, f"You joined {membership.team.name} as {membership.role}."
    )
    return redirect("dashboard")


@require_POST
def decline_invitation(request, code):
    invitation = _invitation_for_user(request, code)
    invitation.delete()
    messages.success(request, f"You declined the invitation to {invitation.team.name}.")
    return redirect("dashboard")


@require_POST
def change_role(request, code):
    _, target = _member_of_team(request, code)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, member or viewer.")
        return redirect("team")

    try:
        target.change_role(form.cleaned_data["role"])
    except LastOwnerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{target.user} is now {target.get_role_display()}.")
    return redirect("team")


@require_POST
def remove_member(request, code):
    _, target = _member_of_team(request, code)
    try:
        target.remove()
    except LastOwnerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Removed {target.user} from {target.team}.")
    return redirect("team")


@sensitive_variables()
@sensitive_post_parameters(*SECRET_FIELDS)
@require_POST
def save_credential(request):
    owner = _owner(request)
    credential = ApiCredential.objects.filter(team=owner.team).first()
    form = CredentialForm(request.POST, credential=credential)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("team")

    credentials.save_credential(team=owner.team, user=request.user, **form.cleaned_data)
    messages.success(request, "Saved the InsideView credential.")
    return redirect("team")


@require_POST
def test_credential(request):
    owner = _owner(request)
    credential = ApiCredential.objects.filter(team=owner.team).first()
    if credential is None:
        result = credentials.ConnectionResult(
            ok=False, message="The team has no credential yet. Save one first."
        )
    else:
        result = credentials.check_connection(credential)

    if request.htmx:
        return render(request, "accounts/_connection.html", {"result": result})
    level = messages.SUCCESS if result.ok else messages.ERROR
    messages.add_message(request, level, result.message)
    return redirect("team")
