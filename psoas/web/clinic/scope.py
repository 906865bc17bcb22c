"""Whose records a user may see: the one place that decides, and a guard that makes a
forgotten filter fail loudly.

The rules (docs/clinic.md, "Who sees what"):
- a clinician sees the patients of their care teams (primary or other clinician) in the
  clinics they belong to;
- a clinic admin sees every patient of their clinic;
- a patient sees only themselves; nobody else sees anything.
Another clinic's record is not found (404), never "forbidden": a 403 would tell that it
exists.

The guard. In clinic mode every query of people's rows (Person, and every model with a
`person` field pointing at it) runs inside a scope, a context variable that
`middleware.clinic_session` sets for each request from the logged-in user. Inside a scope
each such query is filtered to the people the user may see, whatever the view asked for,
so a view that forgets its filter shows nothing it should not. Outside any scope the query
raises ScopeError instead of returning everyone: code that runs without a request (the
`psoas clinic` commands, an invitation being accepted) says so with `everyone()`, in plain
sight. We chose a manager guard fed by a context variable over filters in each view because
a filter one forgets is silent; over django-scopes because the same few lines need no
extra dependency and leave local mode untouched. In local mode (one person) the guard does
nothing at all.

The guard replaces the default manager of the guarded models when the app loads
(`guard_person_rows`), so the models of other apps need no change and a new model with a
`person` field is guarded by being written. Forward relations (`plan.person`) and
cascading deletes use Django's base manager and are not filtered: they start from a row
the scope already let through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404


class ScopeError(RuntimeError):
    """A query of people's records in clinic mode with no scope: a bug, never a page."""


@dataclass(frozen=True)
class Scope:
    """Who is asking: a user (None: nobody logged in), or everyone (the operator)."""

    user: Any = None
    everyone: bool = False

    def person_ids(self) -> QuerySet:
        """The ids of the people this scope may see, as a subquery (built once a request:
        every guarded query takes it, and Django clones it where it is used)."""
        user = self.user
        return _once(("visible", user.pk), lambda: visible_patients(user).values("person_id"))


_current: ContextVar[Scope | None] = ContextVar("psoas_clinic_scope", default=None)


@contextlib.contextmanager
def acting_as(user: Any) -> Iterator[Scope]:
    """Run the block as `user` sees the store (None: nobody logged in)."""
    scope = Scope(user=user if user is not None and user.is_authenticated else None)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


@contextlib.contextmanager
def everyone() -> Iterator[None]:
    """Run the block over every person's rows: for the operator's commands and for the
    few steps that happen before anyone is logged in. Each use says why in its caller."""
    token = _current.set(Scope(everyone=True))
    try:
        yield
    finally:
        _current.reset(token)


def restrict(queryset: QuerySet, field: str) -> QuerySet:
    """A query of people's rows as the current scope allows (see the module's doc)."""
    if not settings.CLINIC_MODE:
        return queryset
    scope = _current.get()
    if scope is None:
        raise ScopeError(
            f"{queryset.model.__name__}: a query of people's records outside a scope; "
            "run it in scope.acting_as(user) or, for the operator, scope.everyone()"
        )
    if scope.everyone:
        return queryset
    if scope.user is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": scope.person_ids()})


class ScopedManager(models.Manager):
    """Mixed into a guarded model's own manager class; `scope_field` leads to Person."""

    scope_field = "person_id"

    def get_queryset(self) -> QuerySet:
        return restrict(super().get_queryset(), self.scope_field)


def person_models() -> list[tuple[type[models.Model], str]]:
    """Every model of people's rows, with the field that leads from it to a person's id."""
    from django.apps import apps

    from psoas.web.programs.models import Person

    found: list[tuple[type[models.Model], str]] = [(Person, "pk")]
    for model in apps.get_models():
        try:
            field = model._meta.get_field("person")
        except Exception:
            continue
        if getattr(field, "related_model", None) is Person and not field.auto_created:
            found.append((model, "person_id"))
    return found


def guard_person_rows() -> None:
    """Give every model of people's rows a ScopedManager as its default manager."""
    for model, field in person_models():
        old = model._default_manager
        if isinstance(old, ScopedManager):
            continue
        cls = type(f"Scoped{type(old).__name__}", (ScopedManager, type(old)), {})
        manager = cls()
        manager.scope_field = field
        manager.creation_counter = old.creation_counter  # stays the default manager
        name = old.name or "objects"
        model._meta.local_managers = [m for m in model._meta.local_managers if m.name != name]
        manager.contribute_to_class(model, name)


def is_guarded(model: type[models.Model]) -> bool:
    return isinstance(model._default_manager, ScopedManager)


# --- the rules ---------------------------------------------------------------------------


# What the request under way has read, each once: a user's memberships, ("roles", user
# id), the guard's subquery built from them, ("visible", user id), and a patient a view
# looked up by public id, ("patient", user id, public id).
_read: ContextVar[dict[tuple, Any] | None] = ContextVar("psoas_reads", default=None)


@contextlib.contextmanager
def one_reading() -> Iterator[None]:
    """Within the block (a request), each user's memberships are read once, however many
    checks and guarded queries ask, and so is each patient looked up by public id (the
    view's look-up, then the audit trail's); a membership saved or deleted meanwhile has
    both read again."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def forget_roles(**_: Any) -> None:
    """A membership changed (post_save, post_delete): read them again."""
    read = _read.get()
    if read is not None:
        read.clear()


def _once(key: tuple, read_it: Callable[[], Any]) -> Any:
    """`read_it()`, or what it gave earlier in this request."""
    read = _read.get()
    if read is None:
        return read_it()
    if key not in read:
        read[key] = read_it()
    return read[key]


def memberships(user: Any) -> tuple[Any, ...]:
    """`user`'s memberships with their clinics, by clinic name."""
    if not user.is_authenticated:
        return ()

    def read() -> tuple[Any, ...]:
        from psoas.web.clinic.models import Membership

        rows = Membership.objects.filter(user=user).select_related("clinic")
        return tuple(rows.order_by("clinic__name", "clinic_id"))

    return _once(("roles", user.pk), read)


def admin_memberships(user: Any) -> list[Any]:
    """`user`'s memberships as a clinic admin, by clinic name (from the same reading)."""
    from psoas.web.clinic.models import Role

    return [m for m in memberships(user) if m.role == Role.ADMIN]


def visible_patients(user: Any) -> QuerySet:
    """The clinic patients `user` may see (see the module's doc)."""
    from psoas.web.clinic.models import Patient, Role

    rows = Patient.all_rows
    if user is None or not user.is_authenticated or not user.is_active:
        return rows.none()
    roles = memberships(user)
    if not roles:
        return rows.filter(person__user=user)
    admin_of = [m.clinic_id for m in roles if m.role == Role.ADMIN]
    member_of = [m.clinic_id for m in roles]
    return rows.filter(Q(clinic_id__in=admin_of) | (Q(clinic_id__in=member_of) & care_team(user)))


def care_team(user: Any) -> Q:
    """The patients (a filter of Patient rows) whose care team `user` is on, as primary or
    other clinician, in any clinic: the caller limits it to the clinics that count."""
    from psoas.web.clinic.models import Patient

    # The other clinicians as a subquery, not a join: no row twice, so no DISTINCT to sort.
    shared = Patient.other_clinicians.through.objects.filter(user=user).values("patient_id")
    return Q(primary_clinician=user) | Q(pk__in=shared)


def visible_patient(user: Any, public_id: str):
    """The patient with this public id if `user` may see them, else None."""

    def read() -> Any:
        rows = visible_patients(user).filter(public_id=public_id)
        return rows.select_related("person").first()

    return _once(("patient", getattr(user, "pk", None), public_id), read)


def patient_or_404(user: Any, public_id: str):
    """The patient with this public id if `user` may see them; else 404, the same answer
    as for an id that does not exist."""
    patient = visible_patient(user, public_id)
    if patient is None:
        raise Http404("no such patient")
    return patient


def is_staff_member(user: Any) -> bool:
    """Whether `user` has a role in any clinic."""
    return bool(memberships(user))
