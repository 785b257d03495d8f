from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from . import teams


@require_POST
def switch_team(request, code):
    teams.switch_team(request, code)
    return redirect("dashboard")
