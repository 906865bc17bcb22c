"""What every router shares: the active plan or a 404, errors shaped like ninja's own, and
the error answers each route documents in the OpenAPI schema.

Our own checks (a date in the future, a session that is not yours) answer in the same
shape as ninja's validation errors, so a client reads one format and always finds the
field that was wrong."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from django.conf import settings
from django.http import Http404
from ninja import Schema
from ninja.errors import HttpError, ValidationError
from pydantic import AfterValidator, BeforeValidator, Field

from psoas.web.programs.models import Person, Plan
from psoas.web.programs.services import active_plan
from psoas.web.programs.starts import latest_plan_start

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class ErrorOut(Schema):
    """Every error but 422: one message that starts with the field it is about."""

    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description="where: body, query or path, then the field")
    msg: str
    type: str


class ValidationErrorOut(Schema):
    """422: one entry per wrong field."""

    detail: list[FieldErrorOut]


# What each status means in every route that may answer it (docs/api.md, "Errors").
ERRORS: dict[int, tuple[type[Schema], str]] = {
    400: (ErrorOut, "The body is not JSON."),
    401: (
        ErrorOut,
        "No access yet: open the link `psoas serve` printed, or log in when it is served "
        "beyond this computer.",
    ),
    403: (ErrorOut, "A change sent from a page of another site (Origin, Sec-Fetch-Site)."),
    404: (ErrorOut, "No profile or plan yet, or no such session for you."),
    409: (
        ErrorOut,
        "The session is already finished, the day has no session, the program is stopped, "
        "the block's re-test is not due, already saved or not done yet, or a move break's "
        "reminder cannot be snoozed now, is not due or was already shown.",
    ),
    413: (ErrorOut, "The body is larger than the server takes."),
    415: (ErrorOut, "The body is not sent as application/json."),
    422: (ValidationErrorOut, "Invalid input; `loc` names the field."),
}
BODY_ERRORS = (400, 403, 413, 415, 422)  # any route that takes a JSON body (a change)


def answers(ok: Any, *codes: int) -> dict[int, Any]:
    """The `response=` of a route: its 200 body and the error bodies it may answer, so
    the OpenAPI schema lists every status a client can get (401 on every route)."""
    return {200: ok, **{code: ERRORS[code][0] for code in sorted({401, *codes})}}


def describe_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Give each documented error status its meaning in the OpenAPI schema."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                if str(code).isdigit() and int(code) in ERRORS:
                    response["description"] = ERRORS[int(code)][1]
    return schema


def invalid(loc: list[str | int], msg: str, kind: str = "value_error") -> ValidationError:
    """A 422 naming the field, in ninja's format: {"detail": [{"loc", "msg", "type"}]}."""
    return ValidationError([{"type": kind, "loc": loc, "msg": msg}])


def staff_user(request: Any) -> Any:
    """The member of staff asking, after their second factor (clinic mode); 404 for anyone
    else, as for a page that does not exist for them."""
    from psoas.web.clinic.scope import is_staff_member

    user = request.user
    if not settings.CLINIC_MODE or not is_staff_member(user):
        raise Http404("staff only")
    if not user.is_verified():
        raise HttpError(401, "second factor: type your code at /clinic/second-factor/ first")
    return user


def plan_or_404(person: Person) -> Plan:
    plan = active_plan(person)
    if plan is None:
        raise HttpError(404, "plan: no plan yet; POST /api/plan first")
    return plan


def _date_text(value: Any) -> Any:
    """A date is text, YYYY-MM-DD: a number (pydantic would read seconds since 1970, in a
    body or as `?date=0.0`) is refused."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("give a date as YYYY-MM-DD")


def _not_future(day: date) -> date:
    if day > date.today():
        raise ValueError(f"{day.isoformat()} is in the future; give today or an earlier day")
    return day


def _within_a_year(day: date) -> date:
    last = latest_plan_start()
    if day > last:
        raise ValueError(
            f"{day.isoformat()} is more than a year away; give a day up to {last.isoformat()}"
        )
    return day


def _no_nul(text: str) -> str:
    if "\x00" in text:  # PostgreSQL cannot store it; nothing a person types has one
        raise ValueError("contains a NUL character (\\u0000); remove it")
    return text


NotFuture = Annotated[date, BeforeValidator(_date_text), AfterValidator(_not_future)]
PlanStart = Annotated[date, BeforeValidator(_date_text), AfterValidator(_within_a_year)]
Text = Annotated[str, AfterValidator(_no_nul)]
# Numbers in bodies are strict: `true` or "3" is not a score (JSON has numbers for that).
Score = Annotated[int, Field(strict=True, ge=0, le=10, description="0 (none) to 10 (worst)")]
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]  # larger ids would overflow the database
