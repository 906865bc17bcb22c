"""GET /files/TOKEN: a generated file, to its owner only. Anyone else, an unknown token
and an expired file all get the same 404, so a link reveals nothing about other people."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from psoas.web.jobs.models import live_file
from psoas.web.site.people import person_for


@require_safe
def generated_file(request: HttpRequest, token: str) -> HttpResponse:
    found = live_file(person_for(request), token)
    if found is None:
        raise Http404("no such file")
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.name}"'
    response["Cache-Control"] = "no-store"  # health records: never kept in a shared cache
    return response
