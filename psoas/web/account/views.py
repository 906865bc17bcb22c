"""Settings: the profile and a way to change it, downloads (the PDF report, CSV, FHIR,
iCalendar), the calendar subscription link, a phone link (served with logins), backup,
restore and deleting everything; and the page a phone link opens.

Every download is made by the same functions as the CLI (`psoas report`, `psoas export`,
`psoas backup`), so a file from the page and one from the terminal are the same. Actions
that change data are POST forms with Django's CSRF token.
"""

from __future__ import annotations

import tempfile
from datetime import date, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from psoas.core.content.loader import catalog
from psoas.web.account import downloads, pairing, reminders
from psoas.web.account.models import CalendarFeed, new_token
from psoas.web.breaks.views import settings_context as breaks_section
from psoas.web.programs.models import Plan
from psoas.web.programs.services import active_plan
from psoas.web.site.people import person_for

ICS_TIME, ICS_ALARM_MINUTES = time(8, 0), 10  # as `psoas export --format ics` by default
DELETE_WORD = "delete"
DONE_WORDS = {
    "restored": "Your records were restored from the backup.",
    "new-link": "You have a new calendar link. The old one no longer works.",
    "reminder-on": "Saved. You will get an email at that time on your session days.",
    "reminder-off": "Your reminder emails are off.",
}


def _feed_url(request: HttpRequest, feed: CalendarFeed | None) -> str:
    return request.build_absolute_uri(f"/calendar/{feed.token}.ics") if feed else ""


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    from psoas.web.reports.summary import profile_rows

    person = person_for(request)
    plan = active_plan(person)
    feed = CalendarFeed.objects.filter(person=person).first()
    url = _feed_url(request, feed)
    return {
        "plan": plan,
        "plan_ok": plan is not None and plan.data.get("status") == "ok",
        "profile": profile_rows(plan.profile.data, catalog()) if plan else [],
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1] if url else "",
        "done": DONE_WORDS.get(request.GET.get("done", "")),
        "done_key": request.GET.get("done", ""),
        "errors": {},
        "values": {},
        "delete_word": DELETE_WORD,
        "phones": _phones_welcome(request),
        "link_minutes": int(pairing.LIFETIME.total_seconds() // 60),
        "breaks": breaks_section(request),
        "reminder": reminders.section(request),
        **extra,
    }


def _errors_page(request: HttpRequest, errors: dict[str, str], values: dict, status: int = 400):
    order = ["from", "to", "report", "export", "file", "confirm_restore", "confirm"]
    order += ["reminder_at", "reminder_zone"]
    ids = {
        "reminder_at": "reminder_at",
        "reminder_zone": "reminder_zone",
        "from": "report_from",
        "to": "report_to",
        "report": "report_from",
        "export": "downloads-title",
        "file": "restore_file",
        "confirm_restore": "confirm_restore",
        "confirm": "delete_confirm",
    }
    listed = [{"id": ids[k], "message": errors[k]} for k in order if k in errors]
    ctx = _context(request, errors=errors, values=values, error_list=listed)
    return render(request, "account/settings.html", ctx, status=status)


@never_cache
@require_safe
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "account/settings.html", _context(request))


# --- downloads --------------------------------------------------------------------------


def _day(value: str, label: str, errors: dict[str, str], key: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[key] = f"{label}: '{value[:20]}' is not a date; use the form 2026-03-31."
        return None
    if day > date.today():
        errors[key] = f"{label}: {value} is in the future; pick today or an earlier day."
        return None
    return day


@require_safe
def report(request: HttpRequest) -> HttpResponse:
    """The two-page PDF for a physiotherapist, as `psoas report` writes it."""
    values = {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")}
    errors: dict[str, str] = {}
    start = _day(values["from"].strip(), "From", errors, "from")
    end = _day(values["to"].strip(), "To", errors, "to") or date.today()
    if start and "to" not in errors and start > end:
        errors["from"] = f"From: {start.isoformat()} is after To ({end.isoformat()})."
    person = person_for(request)
    plan = active_plan(person)
    if plan is None:
        errors["report"] = "Report: there is no plan yet, so there is nothing to report."
        return _errors_page(request, errors, values, status=409)
    if errors:
        return _errors_page(request, errors, values)
    return downloads.report(person, plan, start, end)


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    """Every CSV table of `psoas export --format csv`, in one zip file."""
    return downloads.csv_zip(person_for(request))


@require_safe
def export_fhir(request: HttpRequest) -> HttpResponse:
    """The FHIR R4 bundle of `psoas export --format fhir`."""
    return downloads.fhir(person_for(request))


def _ics(plan: Plan | None, request: HttpRequest) -> bytes | None:
    """The calendar file; its re-test event links to the block page on this origin."""
    from psoas.web.exports.ical import calendar

    if plan is None:
        return None
    origin = request.build_absolute_uri("/")
    data, _events = calendar(plan, ICS_TIME, ICS_ALARM_MINUTES, origin)
    return data


@require_safe
def export_ics(request: HttpRequest) -> HttpResponse:
    """The plan's sessions as an .ics file, as `psoas export --format ics`."""
    plan = active_plan(person_for(request))
    if plan is None or plan.data.get("status") != "ok":
        words = (
            "there is no plan yet."
            if plan is None
            else "your program is stopped, so it has no sessions to add."
        )
        return _errors_page(request, {"export": f"Calendar file: {words}"}, {}, status=409)
    return downloads.attachment(_ics(plan, request), "psoas.ics", "text/calendar; charset=utf-8")


# --- reminder emails (clinic mode) -------------------------------------------------------


@require_POST
def reminder(request: HttpRequest) -> HttpResponse:
    """Turn the session reminder email on (a time and a time zone) or off."""
    done = reminders.save(request)
    if isinstance(done, dict):
        values = {"at": request.POST.get("at", ""), "zone": request.POST.get("zone", "")}
        return _errors_page(request, done, {"reminder": values}, status=422)
    return done


# --- the calendar subscription ----------------------------------------------------------


@require_POST
def calendar_link(request: HttpRequest) -> HttpResponse:
    """Make the calendar link, or a new one: the old token stops working at once."""
    person = person_for(request)
    with transaction.atomic():
        feed, made = CalendarFeed.objects.get_or_create(person=person)
        if not made:
            feed.token = new_token()
            feed.save()
    return redirect("/settings/?done=new-link#calendar")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """What a calendar app fetches: the same file as the download. An unknown (or revoked)
    token is a 404. A stopped program serves a calendar with no events, so a subscribed
    calendar drops the sessions."""
    feed = CalendarFeed.objects.filter(token=token).select_related("person").first()
    if feed is None:
        raise Http404("No such calendar")
    data = _ics(active_plan(feed.person), request)
    if data is None:
        raise Http404("No plan yet")
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


# --- a phone link ----------------------------------------------------------------------


def _phones_welcome(request: HttpRequest) -> bool:
    """Phone links are for a server that asks for logins (reached from other devices), and
    only a logged-in person may make one, for their own login."""
    return settings.REQUIRE_LOGIN and request.user.is_authenticated


def _origin(request: HttpRequest) -> str:
    """Where a phone reaches this server: the HTTPS proxy's address, the computer's
    network address (`psoas serve --host` sets it: the laptop may be on 127.0.0.1 itself),
    or the address this page came from."""
    return (
        settings.HTTPS_ORIGIN
        or settings.NETWORK_ORIGIN
        or f"{request.scheme}://{request.get_host()}"
    )


@never_cache
@require_POST
def phone_link(request: HttpRequest) -> HttpResponse:
    """A new one-time link and its QR code, shown once on the page this answers with (never
    in an address: it would stay in the history)."""
    if not _phones_welcome(request):
        raise Http404("Phone links are for psoas serve --host, with a login")
    link = pairing.make_link(request.user, _origin(request))
    made = {"url": link.url, "qr": pairing.qr_data_uri(link.url), "expires_at": link.expires_at}
    return render(request, "account/settings.html", _context(request, phone_link=made))


def _pair_page(request: HttpRequest, state: pairing.LinkState, **extra: Any) -> HttpResponse:
    context = {"state": state.value, "link_minutes": int(pairing.LIFETIME.total_seconds() // 60)}
    response = render(request, "account/pair.html", {**context, **extra}, status=state.status)
    # Kept by no cache. Its address holds the code, and the site's Referrer-Policy
    # (same-origin) sends it in a Referer to psoas only; "no-referrer" would make the
    # browser send "Origin: null" with the form, which the same-origin check refuses.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def pair(request: HttpRequest) -> HttpResponse:
    """The page a phone link opens. Looking (GET) changes nothing: it shows whose login the
    link is for, and its form (sent at once by pair.js) uses the link: the phone is logged
    in, the link burnt, and the phone goes to Today. A used, expired or unknown link says
    so (410, 404) and how to get a new one."""
    if not settings.REQUIRE_LOGIN:  # on this computer only there is no login to give
        raise Http404("Phone links are for psoas serve --host, with a login")
    if request.method == "POST":
        state, user = pairing.redeem(request.POST.get("code", ""))
        if user is None:
            return _pair_page(request, state)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("/today/")
    code = request.GET.get("code", "")
    state, link = pairing.look_up(code)
    if link is None or state is not pairing.LinkState.OK:
        return _pair_page(request, state)
    return _pair_page(request, state, code=code, login_name=link.user.get_username())


# --- backup, restore, delete ------------------------------------------------------------


@require_safe
def backup(request: HttpRequest) -> HttpResponse:
    """A consistent copy of the whole store, as `psoas backup` makes it."""
    from psoas.web import backup as store

    with tempfile.TemporaryDirectory(prefix="psoas-backup-") as tmp:
        dest = Path(tmp) / "backup"
        try:
            summary = store.take(dest)
        except store.BackupError as exc:
            return _errors_page(request, {"file": f"Backup: {exc}"}, {}, status=500)
        data = dest.read_bytes()
    ext = "sqlite3" if summary["engine"] == "SQLite" else "zip"
    name = f"psoas-backup-{date.today().isoformat()}.{ext}"
    return downloads.attachment(data, name, "application/octet-stream")


def _plain(message: str) -> str:
    """A refusal from psoas.web.backup names the CLI's FILE argument and a temporary
    path; on the page it is the uploaded file."""
    text = message.removeprefix("FILE: ")
    if text.startswith("'"):
        text = "The file" + text[text.index("'", 1) + 1 :]
    return text[0].upper() + text[1:]


@require_POST
def restore(request: HttpRequest) -> HttpResponse:
    """Replace every record with those of an uploaded backup, after checking all of it.
    A damaged or foreign file is refused and nothing changes."""
    from psoas.web import backup as store
    from psoas.web.bootstrap import migrate_if_needed
    from psoas.web.site.freshness import forget_all

    upload = request.FILES.get("file")
    errors: dict[str, str] = {}
    if upload is None or upload.size == 0:
        errors["file"] = "Backup file: choose a file made by psoas backup."
    if request.POST.get("confirm_restore") != "yes":
        errors["confirm_restore"] = "Replace my records: tick the box to go on."
    if errors:
        return _errors_page(request, errors, {})
    with tempfile.TemporaryDirectory(prefix="psoas-restore-") as tmp:
        path = Path(tmp) / "upload"
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            with store.prepare(path) as candidate:
                candidate.apply()
        except store.BackupError as exc:
            msg = f"Backup file: {_plain(str(exc))}. Your records were not changed."
            return _errors_page(request, {"file": msg}, {})
    migrate_if_needed()  # an older backup gains the tables added since it was made
    forget_all()
    return redirect("/settings/?done=restored")


@require_POST
def delete_everything(request: HttpRequest) -> HttpResponse:
    """Erase every record, after the person typed the word; then the welcome page."""
    from psoas.web import backup as store
    from psoas.web.site.freshness import forget_all

    typed = request.POST.get("confirm", "").strip().lower()
    if typed != DELETE_WORD:
        msg = f"Delete: type the word {DELETE_WORD} in the box to erase everything."
        return _errors_page(request, {"confirm": msg}, {"confirm": request.POST.get("confirm", "")})
    store.delete_all()
    forget_all()
    request.session.flush()
    return redirect("/")
