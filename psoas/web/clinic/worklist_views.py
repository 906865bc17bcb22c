"""The clinician's start page at /clinic/: the worklist (worklist.py), a page at a time,
with a search by public id and a switch to show only patients with open alerts. A clinic
admin sees the whole clinic; a clinician their care teams (scope.visible_patients). The
list is drawn once per state of its rows (worklist.per_list_revision); the frame around it
(the log-out form, the unread count) is drawn on every visit."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from psoas.web.clinic import scope, worklist
from psoas.web.clinic import second_factor as factor

SEARCH_MAX = 24  # a public id's length


@require_safe
@factor.staff_page
def worklist_page(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    alerts_only = request.GET.get("show") == "alerts"
    number = request.GET.get("page")

    def draw() -> str:
        memberships = scope.memberships(request.user)
        found = worklist.page(
            scope.visible_patients(request.user), number, search=search, alerts_only=alerts_only
        )
        context = {
            "memberships": memberships,
            "page": found,
            "lines": found.object_list,
            "total": found.paginator.count,
            "search": search,
            "alerts_only": alerts_only,
            "is_admin": bool(scope.admin_memberships(request.user)),
        }
        # drawn by the template engine, which escaped it; kept marked safe
        return mark_safe(render_to_string("clinic/_worklist_body.html", context))

    asked = (search, alerts_only, number or "")
    body = worklist.per_list_revision(request.user.pk, asked, draw)
    return render(request, "clinic/worklist.html", {"body": body})
