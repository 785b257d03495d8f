from .models import Membership
from .teams import current_membership


def current_team(request):
    membership = current_membership(request)
    if membership is None:
        return {"membership": None, "team": None, "other_memberships": []}
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
    }
