"""Messages between a patient and their care team (clinic mode; 404 in local mode).

The patient reads and writes their own thread at /api/messages; staff reach a patient's
thread by the patient's public id under /api/clinic/, as their pages do under /clinic/
(another clinic's patient, or one whose care team they are not on, is 404). Text is plain
text, returned as typed inside JSON: a client shows it as text, never as HTML. A thread is
marked read only by a POST naming the newest message seen, so reading it never writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404
from ninja import Router, Schema
from pydantic import Field

from psoas.web.api.common import BODY_ERRORS, DbId, answers, invalid, staff_user
from psoas.web.clinic.scope import patient_or_404
from psoas.web.messages import threads
from psoas.web.programs.models import Person
from psoas.web.site.people import person_for

router = Router(tags=["messages"])


class MessageIn(Schema):
    text: str = Field(description=f"plain text, 1 to {threads.MAX_CHARS:,} characters")


class ReadIn(Schema):
    upto: DbId = Field(description="the newest message id seen: it and older ones are read")


class ReceiptOut(Schema):
    who: str = Field(description='"You", "Patient" or the staff member\'s email')
    at: datetime


class MessageOut(Schema):
    id: int
    mine: bool
    from_patient: bool
    who: str = Field(description='"You", "Patient" or the staff member\'s email')
    text: str = Field(description="plain text, as typed: show it as text, never as HTML")
    created_at: datetime
    unread: bool = Field(description="written to you and not read by you yet")
    read_by: list[ReceiptOut]


class ThreadOut(Schema):
    unread: int
    max_chars: int
    messages: list[MessageOut]


class ReadOut(Schema):
    marked: int = Field(description="messages newly marked read")
    unread: int = Field(description="what is still unread for you in this thread")


class PatientUnreadOut(Schema):
    public_id: str
    unread: int


class InboxOut(Schema):
    unread: int = Field(description="all your patients' messages you have not read")
    patients: list[PatientUnreadOut]


# --- who is asking -------------------------------------------------------------------------


def _patient(request) -> Person:
    if not settings.CLINIC_MODE:
        raise Http404("messages are for clinic mode")
    return person_for(request)


def _thread(person: Person, viewer: Any) -> dict[str, Any]:
    entries = threads.entries(threads.thread(person), viewer, person.user_id)
    return {
        "unread": sum(e.unread for e in entries),
        "max_chars": threads.MAX_CHARS,
        "messages": entries,
    }


def _send(person: Person, author: Any, text: str) -> threads.Entry:
    try:
        message = threads.send(person, author, text)
    except threads.MessageError as exc:
        raise invalid(["body", "payload", "text"], str(exc)) from None
    return threads.entries([message], author, person.user_id)[0]


def _mark(person: Person, reader: Any, upto: int) -> dict[str, int]:
    marked = threads.mark_read(reader, person, upto)
    return {"marked": marked, "unread": threads.unread_count(reader, person)}


# --- the patient's own thread --------------------------------------------------------------


@router.get("/messages", response=answers(ThreadOut, 404))
def my_thread(request):
    """Your messages with your care team, oldest first."""
    return _thread(_patient(request), request.user)


@router.post("/messages", response=answers(MessageOut, *BODY_ERRORS, 404))
def write_to_care_team(request, payload: MessageIn):
    """Send a message to your care team."""
    return _send(_patient(request), request.user, payload.text)


@router.post("/messages/read", response=answers(ReadOut, *BODY_ERRORS, 404))
def read_mine(request, payload: ReadIn):
    """Mark your care team's messages read, up to `upto`."""
    return _mark(_patient(request), request.user, payload.upto)


# --- staff ---------------------------------------------------------------------------------


@router.get("/clinic/messages", response=answers(InboxOut, 404))
def inbox(request):
    """Your patients' messages you have not read: the total, and per patient."""
    per = threads.unread_by_patient(staff_user(request))
    rows = [{"public_id": k, "unread": n} for k, n in sorted(per.items())]
    return {"unread": sum(per.values()), "patients": rows}


@router.get("/clinic/patients/{public_id}/messages", response=answers(ThreadOut, 404))
def patient_thread(request, public_id: str):
    """A patient's messages with their care team, oldest first."""
    user = staff_user(request)
    return _thread(patient_or_404(user, public_id).person, user)


@router.post(
    "/clinic/patients/{public_id}/messages", response=answers(MessageOut, *BODY_ERRORS, 404)
)
def write_to_patient(request, public_id: str, payload: MessageIn):
    """Send a message to the patient."""
    user = staff_user(request)
    return _send(patient_or_404(user, public_id).person, user, payload.text)


@router.post(
    "/clinic/patients/{public_id}/messages/read", response=answers(ReadOut, *BODY_ERRORS, 404)
)
def read_patients(request, public_id: str, payload: ReadIn):
    """Mark the patient's messages read for you (not for the rest of the care team)."""
    user = staff_user(request)
    return _mark(patient_or_404(user, public_id).person, user, payload.upto)
