"""The clinic's emails: one plain template for all, sent through Django's SMTP backend.

An email says as little as it can, since it leaves the clinic's hands: the clinic's name,
a heading, a line or two and one link into psoas. Never a patient's name, an alert's
words or anything about anyone's health: the link leads to the app, where the login and
the scope guard decide what the reader may see. Each email has a text part and a plain
HTML part (a language, a heading, one real link, no images, no styles).

The invitation email goes out from a job too (`invitation_email`), with a link of its own
that the worker makes, so the link shown on the inviter's page never enters the queue.
The password-reset email goes out from a job too (`reset_email`): the request only queues
the person's id, and the worker makes the link (Django's token, which needs nothing kept),
so no reset link ever sits in the queue's tables or the worker's log. It names no clinic:
which clinic a person uses is theirs to tell.

The alert email goes out from a job (`alert_email`, queue "mail") inside `jobs.once`, sent
within the block: the key commits only once the mail server has taken the message, so a
server that refuses or is down fails the job and its retry sends it, and a duplicated job
sends nothing more. A worker killed in the instant between the server's "OK" and the
commit would send it twice; an alert email lost to a struggling mail server would be
worse (docs/jobs.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from psoas import jobs
from psoas.jobs.failures import person_of


def compose(
    to: str, clinic: str, subject: str, heading: str, lines: list[str], link: str, action: str
) -> EmailMultiAlternatives:
    """One email in the base template: `lines` of text, then `action` as the link text."""
    context = {
        "clinic": clinic,
        "heading": heading,
        "lines": lines,
        "link": link,
        "action": action,
    }
    message = EmailMultiAlternatives(
        subject, render_to_string("clinic/mail/base.txt", context), None, [to]
    )
    message.attach_alternative(render_to_string("clinic/mail/base.html", context), "text/html")
    return message


def send_once(key: str, message: EmailMultiAlternatives) -> None:
    """Send `message` unless a run with `key` sent it already. It is sent inside the
    `jobs.once` block, so a refused send rolls the key back for the job's retry."""
    with jobs.once(key) as first:
        if first:
            message.send()


def send_invitation(invitation: Any, link: str) -> None:
    """The invitation link by email (`invitation`: an Invitation row). Raises OSError when
    the mail server does not take it."""
    clinic = invitation.clinic.name
    expires = invitation.expires_at.strftime("%d %B %Y")
    compose(
        invitation.email,
        clinic,
        f"Your invitation to psoas at {clinic}",
        f"{clinic} invites you to psoas",
        [
            f"{clinic} asked us to send you a link to make your psoas account.",
            f"The link works once, until {expires}. If you did not expect it, ignore it.",
        ],
        link,
        "Make your account",
    ).send()


@jobs.task(queue="mail", retries=5)
def invitation_email(invitation_id: int, origin: str) -> None:
    """The invitation by email, once, with a link of its own (invitations.email_link):
    the link on the inviter's page never goes through the queue. Nothing is sent for an
    invitation used, ended or cancelled since it was asked for."""
    from psoas.web.clinic import invitations
    from psoas.web.clinic.models import Invitation

    with jobs.once(f"invitation-email:{invitation_id}") as first:
        if not first:
            return
        row = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation_id)
            .select_related("clinic")
            .first()
        )
        if row is None:
            return
        try:
            link = invitations.email_link(row, origin)
        except invitations.InvitationError:
            return
        # in the block: a refused send rolls back the key and the email's code for the retry
        send_invitation(row, link)


# --- a forgotten password ---------------------------------------------------------------------


@jobs.task(queue="mail", retries=5)
def reset_email(user_id: int, asked: str) -> None:
    """A link to choose a new password, once per ask (`asked`, the request's own id): a
    retried or duplicated job sends nothing more. Nothing goes to an account that is no
    longer active or that has no password to reset."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    hours = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600))
    message = compose(
        user.email,
        "",
        "Set a new password for psoas",
        "Set a new password",
        [
            "Someone asked to set a new password for your psoas account.",
            f"The link works once, for {hours} hour{'s' if hours > 1 else ''}. If you did "
            "not ask for it, ignore this email: your password stays the same.",
        ],
        f"{settings.APP_ORIGIN}/password-reset/{uid}/{token}/",
        "Choose a new password",
    )
    send_once(f"reset-email:{asked}", message)


# --- alerts to the care team -----------------------------------------------------------------

ALERT_SEVERITIES = ("critical", "high")  # a red flag, or a high alert: mailed at once


def alerts_to_mail(new_alert_ids: list[int]) -> None:
    """Queue one email per new alert worth one (called in the evaluation's transaction, so
    the emails are queued with the alerts or not at all). In clinic mode in one INSERT
    for all of them: a sweep that finds a thousand new alerts does not wait for a
    thousand round trips."""
    if new_alert_ids and jobs.queued():
        alert_email.task.batch_defer(*({"alert_id": i} for i in new_alert_ids))
        return
    for alert_id in new_alert_ids:
        alert_email.defer(alert_id=alert_id)


@jobs.task(queue="mail", retries=5, about=person_of("clinic.Alert", "alert_id"))
def alert_email(alert_id: int) -> None:
    """Tell the patient's primary clinician that a patient of theirs has a new alert, once."""
    from psoas.web.clinic.models import Alert

    alert = (
        Alert.objects.filter(pk=alert_id)
        .select_related("person__clinic_patient__primary_clinician")
        .select_related("person__clinic_patient__clinic")
        .first()
    )
    patient = getattr(alert.person, "clinic_patient", None) if alert else None
    if patient is None:  # the alert or the patient was erased since
        return
    to = patient.primary_clinician.email or patient.primary_clinician.username
    message = compose(
        to,
        patient.clinic.name,
        "A patient of yours has a new alert",
        "A patient of yours has a new alert",
        ["A patient of yours has a new alert. Open psoas to see it."],
        f"{settings.APP_ORIGIN}/clinic/alerts/",
        "Open the alerts in psoas",
    )
    send_once(f"alert-email:{alert_id}", message)
