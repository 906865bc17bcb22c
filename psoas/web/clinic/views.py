"""Clinic mode's pages: accepting an invitation, the second factor, and password reset by
email (the worklist, the alerts and a patient's overview have modules of their own). In
local mode none of them exists (404)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from psoas.web.clinic import invitations, mail, scope
from psoas.web.clinic import second_factor as factor
from psoas.web.clinic.models import Role
from psoas.web.site.views import login_paused


def clinic_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.CLINIC_MODE:
            raise Http404("clinic mode is off")
        return view(request, *args, **kwargs)

    return wrapped


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- invitations -------------------------------------------------------------------------


def _invite_page(
    request: HttpRequest, state: invitations.LinkState, status: int | None = None, **extra: Any
) -> HttpResponse:
    context = {"state": state.value, "days": settings.CLINIC_INVITE_DAYS, **extra}
    status = status or state.status
    return _private(render(request, "clinic/invite.html", context, status=status))


@clinic_only
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    """The page an invitation link opens. Looking (GET) changes nothing, so a link preview
    does not spend it; the form sets a password (or, for staff who have an account, takes
    theirs), makes the account, logs it in and spends the link. Used or expired: 410;
    unknown: 404."""
    code = request.POST.get("code", "") if request.method == "POST" else request.GET.get("code")
    state, row = invitations.look_up(code or "")
    if row is None or state is not invitations.LinkState.OK:
        return _invite_page(request, state)
    context = {
        "code": code,
        "row": row,
        "existing": invitations.has_account(row),
        "role": Role(row.role).label,
    }
    if request.method != "POST":
        return _invite_page(request, state, **context)
    password = request.POST.get("password", "")
    if not context["existing"] and password != request.POST.get("password2", ""):
        errors = ["The two passwords are not the same. Type the same password twice."]
        return _invite_page(request, state, errors=errors, status=422, **context)
    try:
        state, user = invitations.accept(code, password)
    except ValidationError as exc:
        return _invite_page(request, state, errors=exc.messages, status=422, **context)
    if user is None:
        return _invite_page(request, state)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(factor.PATH if row.role != Role.PATIENT else "/start/")


# --- the second factor -------------------------------------------------------------------


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/clinic/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return "/clinic/"
    return target


@clinic_only
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app (first login) or type its code (every later one)."""
    if not scope.is_staff_member(request.user):
        raise Http404("the second factor is for staff")
    if request.user.is_verified():
        return redirect(_next(request))
    if factor.is_paused(request):
        return login_paused(request)
    device = factor.confirmed_device(request.user)
    context: dict[str, Any] = {"next": _next(request), "setting_up": device is None}
    if request.method == "POST":
        code = factor.clean_code(request.POST.get("code", ""))
        ok = code is not None and (
            factor.confirm_setup(request, code) if device is None else factor.verify(request, code)
        )
        if ok:
            return redirect(_next(request))
        factor.count_failure(request)
        context["error"] = "That code did not work. Type the 6 numbers your app shows now."
    if device is None:
        key = factor.pending_key(request)
        from psoas.web.account.pairing import qr_data_uri

        context["qr"] = qr_data_uri(factor.setup_url(request.user, key))
        context["secret"] = factor.secret_text(key)
    status = 422 if "error" in context else 200
    return _private(render(request, "clinic/second_factor.html", context, status=status))


# --- password reset by email -------------------------------------------------------------


class QueuedReset(PasswordResetForm):
    """Django's form, except that the email goes out from a job (`mail.reset_email`): the
    request only queues it, whether a mail server is up or not, and takes as long for an
    address with no account as for one with an account."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            mail.reset_email.defer(user_id=user.pk, asked=uuid.uuid4().hex)


class ResetAsk(auth_views.PasswordResetView):
    """The email holds a link and nothing else: no name, no health data."""

    template_name = "clinic/reset_ask.html"
    form_class = QueuedReset
    success_url = "/password-reset/sent/"


class ResetSent(auth_views.PasswordResetDoneView):
    template_name = "clinic/reset_sent.html"


class ResetNew(auth_views.PasswordResetConfirmView):
    template_name = "clinic/reset_new.html"
    success_url = "/password-reset/done/"


class ResetDone(auth_views.PasswordResetCompleteView):
    template_name = "clinic/reset_done.html"


reset_ask = clinic_only(ResetAsk.as_view())
reset_sent = clinic_only(ResetSent.as_view())
reset_new = clinic_only(ResetNew.as_view())
reset_done = clinic_only(ResetDone.as_view())
