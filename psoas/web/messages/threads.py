"""A patient's thread with their care team: sending, reading, read receipts and unread
counts, the same for the pages and the API.

Who a message is "unread" for:
- the patient: every message from staff that the patient has not read;
- a member of staff: every message from a patient whose care team they are on (primary
  or other clinician, in a clinic they belong to) that they have not read themselves.
  A clinic admin sees every thread of the clinic but is not the one written to, so their
  counts cover only the care teams they are on: an admin's count would otherwise grow
  with every patient of the clinic.
A message from one member of staff is never unread for another: it is written to the
patient.

Every query here goes through the scope guard (clinic/scope.py): a thread the user may
not see has no messages for them. One exception, on purpose: staff's unread counts (in
the navigation of every staff page) name their threads themselves, from the scope's own
rules (`care_team` in the clinics of `memberships`), which is never wider than what the
guard lets a member of staff see; so they read the base manager and skip the guard's
second, identical subquery. The total in the navigation runs as SQL the ORM made once per
user and set of clinics (`_staff_count_sql`): building that query cost more than running
it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from psoas.web.messages.models import Message, MessageRead
from psoas.web.programs.models import Person

MAX_CHARS = 1000  # short messages: a thread is no place for a long history


class MessageError(ValueError):
    """Text that cannot be sent; the message names the field and what is allowed."""


def clean_text(text: Any) -> str:
    """The text as it will be kept (line ends made plain, spaces around trimmed), or a
    MessageError that says what to change."""
    if not isinstance(text, str):
        raise MessageError("Message: send it as text.")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise MessageError("Message: write something before you send it.")
    if len(text) > MAX_CHARS:
        raise MessageError(
            f"Message: keep it to {MAX_CHARS:,} characters or fewer (it has {len(text):,})."
        )
    if "\x00" in text:  # PostgreSQL cannot store it; nothing a person types has one
        raise MessageError("Message: remove the NUL character (\\u0000).")
    return text


def send(person: Person, author: Any, text: Any) -> Message:
    """Add a message to `person`'s thread, written by `author` (the patient or staff)."""
    return Message.objects.create(
        person=person,
        author=author,
        from_patient=author.pk == person.user_id,
        text=clean_text(text),
    )


def _read_by(user: Any) -> Exists:
    return Exists(MessageRead.objects.filter(message=OuterRef("pk"), reader=user))


def thread(person: Person) -> list[Message]:
    """The patient's messages, oldest first, with their authors and read receipts."""
    rows = Message.objects.filter(person=person).select_related("author")
    return list(rows.prefetch_related("reads__reader").order_by("created_at", "id"))


def _unread_for_patient(person: Person, user: Any) -> QuerySet:
    return Message.objects.filter(person=person, from_patient=False).exclude(_read_by(user))


def _clinics_of(user: Any) -> tuple[int, ...]:
    from psoas.web.clinic.scope import memberships

    return tuple(sorted(m.clinic_id for m in memberships(user)))


def _care_team_messages(user: Any, clinics: tuple[int, ...]) -> QuerySet:
    """Patients' messages in the threads `user` is written to in `clinics` (the user's
    own: see the module's doc), not read by them."""
    from psoas.web.clinic.models import Patient
    from psoas.web.clinic.scope import care_team

    team = Patient.all_rows.filter(care_team(user), clinic_id__in=clinics).values("person_id")
    # within the guard's scope by construction (see the module's doc)
    mine = Message._base_manager.filter(person_id__in=team, from_patient=True)
    return mine.exclude(_read_by(user))


@lru_cache(maxsize=1024)
def _staff_count_sql(user_id: int, clinics: tuple[int, ...]) -> tuple[str, tuple]:
    """A member of staff's unread count as SQL, made by the ORM from the rules above once
    per user and set of clinics in this process. It is the same query on every staff
    page, and building it cost several times more than running it; what it depends on
    beyond these two (the care teams, the messages, the reads) is read when it runs."""
    user = get_user_model()(pk=user_id)
    rows = _care_team_messages(user, clinics).order_by().values("pk")
    sql, params = rows.query.sql_with_params()
    return f"SELECT count(*) FROM ({sql}) AS unread", tuple(params)


def unread_count(user: Any, person: Person | None = None) -> int:
    """What `user` has not read: as the patient of `person`, or as staff in all their
    care teams (or in `person`'s thread only)."""
    if person is not None and person.user_id == user.pk:
        return _unread_for_patient(person, user).count()
    if person is not None:
        return _care_team_messages(user, _clinics_of(user)).filter(person=person).count()
    sql, params = _staff_count_sql(user.pk, _clinics_of(user))
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def unread_for(user: Any) -> int:
    """The count in the navigation: a patient's unread messages, or a member of staff's
    in all their care teams; 0 for anyone else."""
    from psoas.web.clinic.scope import is_staff_member

    if not user.is_authenticated:
        return 0
    if is_staff_member(user):
        return unread_count(user)
    person = Person.objects.filter(user=user, clinic_patient__isnull=False).first()
    return 0 if person is None else unread_count(user, person)


def unread_by_patient(user: Any) -> dict[str, int]:
    """Staff's unread messages per patient's public id (only patients with some)."""
    rows = (
        _care_team_messages(user, _clinics_of(user))
        .values("person__clinic_patient__public_id")
        .annotate(n=Count("pk"))
    )
    return {r["person__clinic_patient__public_id"]: r["n"] for r in rows}


def newest_unread_from_staff(person: Person, user: Any) -> Message | None:
    """For the patient's Today page: the newest message from their care team that they
    have not read."""
    rows = _unread_for_patient(person, user).select_related("author")
    return rows.order_by("-created_at", "-id").first()


def today_note(person: Person, user: Any) -> dict[str, Any] | None:
    """What the patient's Today page shows of it: who wrote, when and the text."""
    m = newest_unread_from_staff(person, user)
    if m is None:
        return None
    return {"who": staff_name(m.author), "created_at": m.created_at, "text": m.text}


def mark_read(reader: Any, person: Person, upto: int) -> int:
    """`reader` has seen `person`'s thread up to message id `upto` (the newest the page
    showed them, so a message that came in after is still unread). Only the messages
    written to them get a receipt: the staff's for the patient, the patient's for staff.
    Returns how many receipts were added."""
    rows = (
        Message.objects.filter(person=person, pk__lte=upto)
        .filter(from_patient=reader.pk != person.user_id)
        .exclude(_read_by(reader))
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    made = MessageRead.objects.bulk_create(
        [MessageRead(message_id=pk, reader=reader, read_at=now) for pk in rows],
        ignore_conflicts=True,  # the same page's two tabs may both say "read"
    )
    return len(made)


@dataclass(frozen=True)
class Receipt:
    who: str
    at: datetime


@dataclass(frozen=True)
class Entry:
    """A message as one viewer sees it."""

    id: int
    mine: bool
    from_patient: bool
    who: str
    text: str
    created_at: datetime
    unread: bool
    read_by: list[Receipt]


def staff_name(user: Any) -> str:
    if user is None:
        return "A former member of staff"
    return user.email or user.get_username()


def entries(messages: list[Message], viewer: Any, patient_user_id: int | None) -> list[Entry]:
    """The thread as `viewer` sees it: who wrote each message (the patient is "Patient"
    to staff, "You" to themselves), whether it is unread for the viewer, and who has read
    it (receipts are only made by those it was written to)."""

    def name(user: Any) -> str:
        if user is not None and user.pk == viewer.pk:
            return "You"
        if user is not None and user.pk == patient_user_id:
            return "Patient"
        return staff_name(user)

    viewer_is_patient = viewer.pk == patient_user_id
    out = []
    for m in messages:
        reads = sorted(m.reads.all(), key=lambda r: (r.read_at, r.pk))
        mine = m.author_id == viewer.pk
        written_to_viewer = m.from_patient != viewer_is_patient
        out.append(
            Entry(
                id=m.pk,
                mine=mine,
                from_patient=m.from_patient,
                who=name(m.author) if m.author_id else staff_name(None),
                text=m.text,
                created_at=m.created_at,
                unread=written_to_viewer and not any(r.reader_id == viewer.pk for r in reads),
                read_by=[Receipt(name(r.reader), r.read_at) for r in reads],
            )
        )
    return out
