"""The FHIR R4 export: a Bundle of type `collection` with the person as a Patient, each
pain check-in as an Observation (LOINC 72514-3) and each questionnaire response as a
QuestionnaireResponse.

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
from psoas.web.programs.models import Person

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
    """The person's pain scores and questionnaire answers in the period, as one bundle."""
    patient_url = _urn("person", person)
    subject = {"reference": patient_url}
    entries = [{"fullUrl": patient_url, "resource": _patient(person)}]
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
