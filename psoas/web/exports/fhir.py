"""The FHIR R4 export: a Bundle of type `collection` with the person as a Patient, each
block of the program as a CarePlan, each pain check-in as an Observation (LOINC 72514-3)
and each questionnaire response as a QuestionnaireResponse.

A block is six weeks of a plan; at its end the person re-tests and chooses the next
block. Its CarePlan has the block's number and kind (extensions in the psoas namespace),
its first and last session days as `period`, the re-test beside the block's start as a
`note`, and a later block `replaces` the block it was chosen at the end of. The
re-test's pain score is a check-in and its activity check a questionnaire response, so
they are in the bundle as the other scores are.

Plain JSON is built here, so the app needs no FHIR library at run time; the tests validate
the bundle with the `fhir.resources` package. Resource ids are UUIDs derived from the row
and the moment it was made, so exporting twice gives the same ids (a receiving system can
tell an update from a new record), while records in another database get other ids.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from psoas.core.content.questionnaires import questionnaires
from psoas.web.exports.answers import ordered_answers
from psoas.web.exports.reading import Period
from psoas.web.outcomes.models import PainCheckin, QuestionnaireResponse
from psoas.web.programs.blocks import blocks
from psoas.web.programs.models import Person, Plan

BASE = "https://psoas.example/fhir"  # the project's namespace; `.example` never resolves
IDS = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
LOCAL_NAME = "me"  # what local mode calls its one person: a placeholder, not a name
LOINC = "http://loinc.org"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
SCORE_UNIT = {"unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}"}
BLOCK_NUMBER = f"{BASE}/StructureDefinition/block-number"
BLOCK_KIND = f"{BASE}/StructureDefinition/block-kind"
BLOCK_WORDS = {
    "first": "The first block of the psoas hip flexor program.",
    "progress": "A block that steps up from the doses reached in the block before.",
    "maintain": "A block that keeps the exercises that helped, at the doses reached.",
}
CHOICE_WORDS = {
    "progress": "progress (step up)",
    "maintain": "maintain (keep what was reached)",
    "see_clinician": "see a clinician first",
}


def _uuid(kind: str, row: Any) -> str:
    return str(uuid.uuid5(IDS, f"{kind}/{row.pk}/{row.created_at.isoformat()}"))


def _urn(kind: str, row: Any) -> str:
    return f"urn:uuid:{_uuid(kind, row)}"


def questionnaire_url(questionnaire_id: str, version: str) -> str:
    """The canonical `URL|version`; the version is percent-encoded because a canonical holds
    no spaces and the stored versions are words ("NRS-11, 0 to 10")."""
    return f"{BASE}/Questionnaire/{questionnaire_id}|{quote(version, safe='')}"


def _patient(person: Person) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": f"{BASE}/person", "value": _uuid("person", person)}],
    }
    if person.name.strip() and person.name != LOCAL_NAME:
        patient["name"] = [{"text": person.name}]
    return patient


def _pain(checkin: PainCheckin, subject: dict[str, str]) -> dict[str, Any]:
    nprs = questionnaires()["nprs"]
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [SURVEY],
        "code": {
            "coding": [{"system": LOINC, "code": nprs.loinc, "display": PAIN_DISPLAY}],
            "text": "Pain from 0 to 10",
        },
        "subject": subject,
        "effectiveDateTime": checkin.date.isoformat(),
        "issued": checkin.created_at.isoformat(),
        "valueQuantity": {"value": checkin.nprs, **SCORE_UNIT},
    }
    notes = [checkin.note] if checkin.note else []
    if checkin.red_flags:
        notes.append("Warning signs answered yes: " + ", ".join(checkin.red_flags))
    if notes:
        obs["note"] = [{"text": n} for n in notes]
    return obs


def _value(v: Any) -> str:
    return "-" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


def _review_note(review: dict[str, Any]) -> dict[str, Any]:
    """The re-test beside the block's start, a line per measure, and the choice."""
    lines = [f"Re-test at the end of the block: {review['summary']}"]
    lines += [
        f"{r['label']}: {_value(r['before'])} at the start, {_value(r['after'])} at the "
        f"end ({r['verdict']}). {r['note']}"
        for r in review["rows"]
    ]
    if review["choice"]:
        start = f", from {review['next_start']}" if review["next_start"] else ""
        lines.append(f"Chosen next: {CHOICE_WORDS[review['choice']]}{start}.")
    else:
        lines.append("No next block chosen yet.")
    return {"time": review["date"], "text": "\n".join(lines)}


def _care_plans(person: Person, subject: dict[str, str]) -> list[dict[str, Any]]:
    """Each block as a CarePlan: active (the plan in force), completed (a next block was
    chosen at its end) or revoked (stopped early: a new start or a warning sign)."""
    history = blocks(person)
    plans = Plan.objects.in_bulk([b["plan_id"] for b in history])
    urls = {pid: _urn("plan", p) for pid, p in plans.items()}
    came_from = {
        b["review"]["next_plan_id"]: b["plan_id"]
        for b in history
        if b["review"] and b["review"]["next_plan_id"]
    }
    entries = []
    for b in history:
        plan, review = plans[b["plan_id"]], b["review"]
        chosen = review is not None and review["next_plan_id"] is not None
        care: dict[str, Any] = {
            "resourceType": "CarePlan",
            "extension": [
                {"url": BLOCK_NUMBER, "valueInteger": b["number"]},
                {"url": BLOCK_KIND, "valueCode": b["kind"]},
            ],
            "identifier": [{"system": f"{BASE}/plan", "value": _uuid("plan", plan)}],
            "status": "active" if b["active"] else "completed" if chosen else "revoked",
            "intent": "plan",
            "title": f"Block {b['number']}: {b['weeks']} weeks of hip flexor exercises",
            "description": (
                f"{BLOCK_WORDS.get(b['kind'], '')} "
                f"{plan.data['frequency']['days_per_week']} days a week for {b['weeks']} "
                "weeks."
            ),
            "subject": subject,
            "period": {"start": b["start_date"], "end": b["end_date"]},  # an ok plan has days
            "created": plan.created_at.isoformat(),
        }
        if b["plan_id"] in came_from:
            care["replaces"] = [{"reference": urls[came_from[b["plan_id"]]]}]
        if review is not None:
            care["note"] = [_review_note(review)]
        entries.append({"fullUrl": urls[b["plan_id"]], "resource": care})
    return entries


def _answer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def _response(r: QuestionnaireResponse, subject: dict[str, str]) -> dict[str, Any]:
    items = []
    for a in ordered_answers(r.questionnaire_id, r.answers):
        item: dict[str, Any] = {"linkId": a.item_id}
        if a.text:
            item["text"] = a.text
        items.append({**item, "answer": [_answer(a.value)]})
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire_url(r.questionnaire_id, r.version),
        "status": "completed",
        "subject": subject,
        "authored": r.date.isoformat(),
    }
    return {**out, "item": items} if items else out


def bundle(person: Person, period: Period) -> dict[str, Any]:
    """The person's blocks (always all of them, as the scores need them to be read), and
    their pain scores and questionnaire answers in the period, as one bundle."""
    patient_url = _urn("person", person)
    subject = {"reference": patient_url}
    entries = [{"fullUrl": patient_url, "resource": _patient(person)}]
    entries += _care_plans(person, subject)
    checkins = period.filter(PainCheckin.objects.filter(person=person))
    entries += [
        {"fullUrl": _urn("checkin", c), "resource": _pain(c, subject)}
        for c in checkins.order_by("date", "created_at", "id")
    ]
    responses = period.filter(QuestionnaireResponse.objects.filter(person=person))
    entries += [
        {"fullUrl": _urn("response", r), "resource": _response(r, subject)}
        for r in responses.order_by("date", "created_at", "id")
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "entry": entries,
    }
