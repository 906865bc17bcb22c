"""The clinic patient's "Delete my data" page (clinic mode only; local mode keeps its own
Settings section, 404 here). The page says in plain words what goes and what the clinic
keeps (erasure.py); the form asks for the word "delete" typed, as local mode's does."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from psoas.web.audit import erasure
from psoas.web.site.people import person_for

DELETE_WORD = "delete"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def erase_page(request: HttpRequest) -> HttpResponse:
    if not settings.CLINIC_MODE:
        raise Http404("local mode deletes from the Settings page")
    patient = person_for(request).clinic_patient
    context = {
        "delete_word": DELETE_WORD,
        "years": erasure.RETENTION_YEARS,
        "clinic": patient.clinic.name,
        "error": "",
        "typed": "",
    }
    if request.method == "POST":
        typed = request.POST.get("confirm", "")
        if typed.strip().lower() != DELETE_WORD:
            context["typed"] = typed[:40]
            context["error"] = f"Delete: type the word {DELETE_WORD} in the box to go on."
            return render(request, "audit/erase.html", context, status=400)
        erasure.erase(request, patient)
        logout(request)
        return render(request, "audit/erased.html", context)
    return render(request, "audit/erase.html", context)
