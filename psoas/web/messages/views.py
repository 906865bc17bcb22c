"""The message pages (clinic mode; 404 in local mode).

- Patients: /messages/ shows their thread with their care team and a form to write;
  /messages/read/ marks it read.
- Staff: /clinic/messages/ lists their patients' threads with what they have not read;
  they write from a patient's overview (/clinic/patients/<public id>/), whose form posts
  to /clinic/patients/<public id>/messages/, and mark a thread read at .../messages/read/.

Looking at a thread never writes. The page's script (static/messages/read.js) marks what
it showed as read with a POST naming the newest message shown; without the script, a
"Mark as read" button does the same.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from psoas.web.clinic import scope
from psoas.web.clinic.second_factor import staff_page
from psoas.web.clinic.views import clinic_only
from psoas.web.messages import threads
from psoas.web.programs.models import Person
from psoas.web.site.people import person_for


def thread_context(
    person: Person, viewer: Any, read_url: str, text: str = "", error: str = ""
) -> dict[str, Any]:
    """The thread as `viewer` sees it and its write form (with what was typed and the
    error, after a refused send): shared by the patient's page and the staff overview."""
    entries = threads.entries(threads.thread(person), viewer, person.user_id)
    return {
        "entries": entries,
        "unread": sum(e.unread for e in entries),
        "newest_id": entries[-1].id if entries else None,
        "read_url": read_url,
        "max_chars": threads.MAX_CHARS,
        "max_words": f"{threads.MAX_CHARS:,}",
        "text": text,
        "error": error,
    }


def _marked(request: HttpRequest, person: Person, back: str) -> HttpResponse:
    """Mark the thread read up to the message id the page sent; the script gets JSON,
    a plain form goes back to the page."""
    try:
        upto = int(request.POST.get("upto", ""))
    except ValueError:
        upto = 0
    if upto < 1 or upto > 2**63 - 1:
        message = "upto: give the id of the newest message shown, a whole number from 1"
        return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
    threads.mark_read(request.user, person, upto)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "unread": threads.unread_count(request.user, person),
                "total": threads.unread_for(request.user),
            }
        )
    return redirect(back, permanent=False)


# --- the patient's page --------------------------------------------------------------------


@clinic_only
@require_http_methods(["GET", "HEAD", "POST"])
def patient_messages(request: HttpRequest) -> HttpResponse:
    """The patient's thread with their care team, and the form to write to them."""
    person = person_for(request)
    text, error, status = "", "", 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            threads.send(person, request.user, text)
            return redirect("/messages/#newest", permanent=False)
        except threads.MessageError as exc:
            error, status = str(exc), 422
    thread = thread_context(person, request.user, "/messages/read/", text, error)
    response = render(request, "messages/patient.html", {"thread": thread}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@clinic_only
@require_POST
def patient_read(request: HttpRequest) -> HttpResponse:
    return _marked(request, person_for(request), "/messages/")


# --- staff ---------------------------------------------------------------------------------


@require_safe
@staff_page
def inbox(request: HttpRequest) -> HttpResponse:
    """The threads of the patients whose care team this member of staff is on, those
    with messages they have not read first."""
    unread = threads.unread_by_patient(request.user)
    rows = [
        {"public_id": public_id, "unread": n}
        for public_id, n in sorted(unread.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    context = {"rows": rows, "total": sum(unread.values())}
    return render(request, "messages/inbox.html", context)


@staff_page
@require_POST
def staff_write(request: HttpRequest, public_id: str) -> HttpResponse:
    """A message to the patient, from their overview page; a refused one shows the page
    again with what was typed and why."""
    from psoas.web.clinic import overview

    patient = scope.patient_or_404(request.user, public_id)
    text = request.POST.get("text", "")
    try:
        threads.send(patient.person, request.user, text)
    except threads.MessageError as exc:
        return overview.render_page(request, patient, text=text, error=str(exc), status=422)
    return redirect(f"/clinic/patients/{patient.public_id}/#newest", permanent=False)


@staff_page
@require_POST
def staff_read(request: HttpRequest, public_id: str) -> HttpResponse:
    patient = scope.patient_or_404(request.user, public_id)
    return _marked(request, patient.person, f"/clinic/patients/{patient.public_id}/#messages")
