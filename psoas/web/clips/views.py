"""A patient's clips for staff: /clinic/patients/<id>/clips/ (the upload form and the
uploads so far) and /clinic/patients/<id>/clips/<clip id>/ (one result and its status).

For the patient's care team and their clinic's admins; anyone else, and everyone in local
mode, gets 404 (a person on their own has `psoas analyze` and the browser coach). The
audit middleware writes a row for each request, as for every staff page with a patient.
The upload is checked here (the exercise, the side, the crop, the file's type and size,
each refusal naming its field); whether the file is a video the decoder can read is the
job's to find, with the same one-line reason `psoas analyze` gives.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from psoas.coach.video import Crop, VideoError
from psoas.core.coach import Coach, NotCoachable
from psoas.core.content.loader import catalog
from psoas.web.clinic import scope
from psoas.web.clinic.second_factor import staff_page
from psoas.web.clips import tasks
from psoas.web.clips.models import ClipAnalysis

MAX_MB = 40
MAX_BYTES = MAX_MB * 1024 * 1024
SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi")
SIDES = ("left", "right")
VIEW_WORDS = {"side": "side-on", "front": "from the front", "unknown": "not clear"}


def coached_exercises() -> list[Any]:
    """The catalog's exercises the camera can coach, by name: the form's choices."""
    found = []
    for ex in catalog().exercises.values():
        try:
            Coach(ex, "right")
        except NotCoachable:
            continue
        found.append(ex)
    return sorted(found, key=lambda ex: ex.name)


def check_upload(post: Any, files: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The upload's fields, and a message per field that is wrong (empty when all fit)."""
    errors: dict[str, str] = {}
    exercise = post.get("exercise", "")
    if exercise not in {ex.id for ex in coached_exercises()}:
        errors["exercise"] = "Exercise: choose one of the exercises in the list."
    side = post.get("side", "")
    if side not in SIDES:
        errors["side"] = "Side: choose left or right."
    crop = post.get("crop", "").strip()
    if crop:
        try:
            crop = str(Crop.parse(crop, name="Crop"))
        except VideoError as exc:
            errors["crop"] = str(exc)
    clip = files.get("clip")
    suffix = PurePath(clip.name).suffix.lower() if clip else ""
    if clip is None or clip.size == 0:
        errors["clip"] = "Clip: choose a video file to upload."
    elif suffix not in SUFFIXES:
        errors["clip"] = f"Clip: only a video can be analysed; use {', '.join(SUFFIXES)}."
    elif clip.size > MAX_BYTES:
        size = clip.size / 1024 / 1024
        errors["clip"] = (
            f"Clip: the file is {size:.0f} MB; the most is {MAX_MB} MB. Upload a shorter clip."
        )
    fields = {"exercise": exercise, "side": side, "crop": crop, "suffix": suffix}
    return fields, errors


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def clips(request: HttpRequest, public_id: str) -> HttpResponse:
    patient = scope.patient_or_404(request.user, public_id)
    if request.method != "POST":
        return _list(request, patient)
    fields, errors = check_upload(request.POST, request.FILES)
    if errors:
        return _list(request, patient, fields, errors, status=422)
    data = request.FILES["clip"].read()
    with transaction.atomic():  # the row and its job: both or neither
        found = tasks.upload(
            patient.person, request.user, fields["exercise"], fields["side"], fields["crop"],
            fields["suffix"], data,
        )  # fmt: skip
    response = redirect(f"/clinic/patients/{public_id}/clips/{found.public_id}/")
    response.status_code = 303
    return response


def _list(
    request: HttpRequest,
    patient: Any,
    fields: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    names = {ex.id: ex.name for ex in catalog().exercises.values()}
    uploads = ClipAnalysis.objects.filter(person=patient.person).defer("video", "result")
    context = {
        "public_id": patient.public_id,
        "exercises": coached_exercises(),
        "sides": SIDES,
        "suffixes": ", ".join(SUFFIXES),
        "max_mb": MAX_MB,
        "form": fields or {"side": "right"},
        "errors": errors or {},
        "uploads": [{"row": u, "exercise": names.get(u.exercise, u.exercise)} for u in uploads],
    }
    return render(request, "clips/clips.html", context, status=status)


@require_safe
@staff_page
def clip(request: HttpRequest, public_id: str, clip_id: str) -> HttpResponse:
    patient = scope.patient_or_404(request.user, public_id)
    found = (
        ClipAnalysis.objects.filter(person=patient.person, public_id=clip_id).defer("video").first()
    )
    if found is None:
        raise Http404("no such clip")
    exercise = catalog().exercises.get(found.exercise)
    context = {
        "public_id": patient.public_id,
        "row": found,
        "exercise": exercise.name if exercise else found.exercise,
        "report": _report(found.result, exercise) if found.result else None,
    }
    return render(request, "clips/clip.html", context)


def _report(result: dict[str, Any], exercise: Any) -> dict[str, Any]:
    """The psoas.analysis/1 report as the page shows it, in plain words."""
    frames, fps = result["frames"], result["fps"]
    return {
        "holds_mode": getattr(getattr(exercise, "coach", None), "mode", "") == "hold",
        "seconds": round(frames / fps, 1) if fps else None,
        "frames": frames,
        "person_frames": result["person_frames"],
        "view": VIEW_WORDS.get(result["view"], result["view"]),
        "reps": result["reps"],
        "rep_details": result["rep_details"],
        "holds": result["holds"],
        "faults": result["faults"],
        "warnings": result["warnings"],
    }
