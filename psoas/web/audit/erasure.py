"""A clinic patient deleting their data: what is erased now, and what the clinic keeps.

A clinic must keep its clinical record of a patient's care for years after care ends
(OpenTeleRehab keeps treatment plans 6 years; GDPR Art. 17(3) lets a clinic keep what a
law or public health needs; HIPAA keeps records of access; research/clinic.md 2.3 and
3.5). So in clinic mode "delete my data" (docs/clinic.md, "Deleting a patient's data"):

- erases at once what names the patient or is not part of their care: the login (email,
  login name, password: the account is closed, the login name becomes
  `erased-<public id>`), their name, their invitations (they hold the email), failed
  login counts under their email, phone links, and the records that are not care:
  move-break reminders and their settings, the calendar link, the camera coach's
  working state and any generated files;
- keeps the clinical record, under the public id only: the intake answers, the plans and
  every program version (who changed it and why), the sessions with their sets and pain,
  check-ins and warning-sign checks, questionnaire scores, alerts with the clinicians'
  notes, the messages, and the audit trail, which records the erasure itself. They are
  kept for RETENTION_YEARS from the erasure; the clinic's operator erases them after.

Every model of people's records is named in ERASED or KEPT (a test holds this), so a new
one must be sorted before it ships; a name whose app is not installed is passed over.
Local mode's "Delete all my data" is not this: there the person is the only user and
everything goes (account/views.py).
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from psoas.web.audit import trail
from psoas.web.clinic import scope
from psoas.web.clinic.models import Patient

RETENTION_YEARS = 6
ERASED = (
    "account.CalendarFeed",
    "account.SessionReminder",
    "breaks.BreakConfig",
    "breaks.BreakLog",
    "tracking.CoachRun",
    "jobs.GeneratedFile",
    "batches.BatchReport",  # a place in a clinician's batch of reports: the PDF goes with it
)
KEPT = (
    "programs.Person",
    "clinic.Patient",
    "programs.ProfileVersion",
    "programs.Plan",
    "programs.ProgramVersion",
    "programs.ScheduledSession",
    "programs.BlockReview",
    "tracking.SessionLog",
    "tracking.SetLog",
    "outcomes.PainCheckin",
    "outcomes.QuestionnaireResponse",
    "clinic.Alert",
    "clinic.WorklistEntry",
    "messages.Message",
    "clips.ClipAnalysis",  # a clinician's clip and what was found in it (the video is gone)
)


@transaction.atomic
def erase(request: HttpRequest, patient: Patient) -> None:
    """Erase what is not kept (see the module's doc) and close the login."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from psoas.web.account.models import PairingLink
    from psoas.web.clinic.models import Invitation

    person, user = patient.person, patient.person.user
    trail.patient_erased(request, patient.public_id, patient.clinic_id)
    for model, _field in scope.person_models():
        if model._meta.label in ERASED:
            model.objects.filter(person=person).delete()
    names = [n for n in {user.email, user.get_username()} if n]
    Invitation.objects.filter(email__in=names).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=names).delete()
    PairingLink.objects.filter(user=user).delete()
    person.name = ""
    person.save(update_fields=["name"])
    user.username = f"erased-{patient.public_id}"
    user.email = user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.save()
