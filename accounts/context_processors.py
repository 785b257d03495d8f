from .models import Invitation, Membership
from .teams import current_membership


def current_team(request):
    membership = current_membership(request)
    invitations = _invitations(request)
    if membership is None:
        return {
            "membership": None,
            "team": None,
            "other_memberships": [],
            "invitations_for_me": invitations,
        }
    others = (
        Membership.objects.filter(user=request.user)
        .exclude(pk=membership.pk)
        .select_related("team")
        .order_by("team__name")
    )
    return {
        "membership": membership,
        "team": membership.team,
        "other_memberships": others,
        "invitations_for_me": invitations,
    }


def _invitations(request):
    if not request.user.is_authenticated:
        return []
    return Invitation.objects.filter(email__iexact=request.user.email).select_related(
        "team", "invited_by"
    )
