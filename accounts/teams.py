"""The one place that decides which team a request acts for."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership

SESSION_KEY = "team_code"


def current_membership(request) -> Membership | None:
    """Return the membership of the team the user picked, else their first one."""
    if not request.user.is_authenticated:
        return None
    if hasattr(request, "_membership"):
        return request._membership

    memberships = Membership.objects.filter(user=request.user).select_related("team")
    chosen = request.session.get(SESSION_KEY)
    membership = None
    if chosen:
        membership = memberships.filter(team__code=chosen).first()
    if membership is None:
        membership = memberships.order_by("created_at", "pk").first()
    request._membership = membership
    return membership


def require_membership(request) -> Membership:
    """Return the current membership; raise PermissionDenied for a user in no team."""
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied(
            "You are not in a team yet. Ask site staff to add you to one."
        )
    return membership


def switch_team(request, team_code) -> Membership:
    membership = (
        Membership.objects.filter(user=request.user, team__code=team_code)
        .select_related("team")
        .first()
    )
    if membership is None:
        raise Http404("No such team.")
    request.session[SESSION_KEY] = str(membership.team.code)
    request._membership = membership
    return membership
