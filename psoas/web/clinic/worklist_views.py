"""The clinician's start page at /clinic/: the worklist (worklist.py), a page at a time,
with a search by public id and a switch to show only patients with open alerts. A clinic
admin sees the whole clinic; a clinician their care teams (scope.visible_patients)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from psoas.web.clinic import scope, worklist
from psoas.web.clinic import second_factor as factor
from psoas.web.clinic.models import Membership

SEARCH_MAX = 24  # a public id's length


@require_safe
@factor.staff_page
def worklist_page(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    alerts_only = request.GET.get("show") == "alerts"
    memberships = Membership.objects.filter(user=request.user).select_related("clinic")
    found = worklist.page(
        scope.visible_patients(request.user),
        request.GET.get("page"),
        search=search,
        alerts_only=alerts_only,
    )
    context = {
        "memberships": memberships.order_by("clinic__name"),
        "page": found,
        "lines": found.object_list,
        "total": found.paginator.count,
        "search": search,
        "alerts_only": alerts_only,
        "is_admin": any(m.role == "admin" for m in memberships),
    }
    return render(request, "clinic/worklist.html", context)
