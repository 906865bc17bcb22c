"""Work a page does once per change of a person's data, not once per request.

The plan, today and progress pages read a year or more of history through the same
functions as the CLI and the API; doing that on every request would make the pages many
times slower than the frame around them. Instead, their results are kept in Django's cache
under the person's *data revision*: one indexed query that changes whenever anything is
written for them (a new profile or plan, a session started or finished, a set, a check-in,
a questionnaire, a block's review, a break event or new break settings). The app only ever
adds those rows, finishes a session, records the choice at a block's end or saves break
settings (which stamps their time), and deleting
all data removes the person (a new one may get the same id, but not the same creation
time), so the newest id of each table, the newest finish time and when the person was
created name the state exactly. Nothing has to remember
to clear the cache, and several server processes (clinic mode) each keep their own, all
correct. A restore clears this process's cache; the short lifetime bounds the rest.

A page view asks for the revision once: while a page is worked out (`cached_page`), the
revision read at its start stands for the whole view (a GET never writes, so it cannot
change part-way), and the caches the page's parts use take it from there. Where one person
uses the app with no login (local mode), the whole page, frame and all, is kept: the frame
then holds nothing of the visitor's own. A page that holds a form token (a form to post),
or that answers a query string, is drawn for each visit; with logins (and so in clinic
mode) every page is, as the frame holds the visitor's own log-out form.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

T = TypeVar("T")
LIFETIME_S = 600

_TABLES = (
    "programs_profileversion",
    "programs_plan",
    "tracking_sessionlog",
    "tracking_setlog",
    "outcomes_paincheckin",
    "outcomes_questionnaireresponse",
    "programs_blockreview",
    "programs_programversion",
    "breaks_breaklog",
)
_SQL = "SELECT " + ", ".join(
    [f"(SELECT max(id) FROM {t} WHERE person_id = %s)" for t in _TABLES]
    + [
        "(SELECT max(finished_at) FROM tracking_sessionlog WHERE person_id = %s)",
        "(SELECT max(chosen_at) FROM programs_blockreview WHERE person_id = %s)",
        "(SELECT max(updated_at) FROM breaks_breakconfig WHERE person_id = %s)",
        "(SELECT created_at FROM programs_person WHERE id = %s)",
    ]
)


# The revision read at the start of the page view under way: {person id: revision}.
_this_view: ContextVar[dict[int, str] | None] = ContextVar("psoas_revision", default=None)
# Kept in place of a page drawn for one visitor only: the next visit draws its own.
_OWN = b"own"


def data_revision(person_id: int) -> str:
    known = _this_view.get()
    if known is not None and person_id in known:
        return known[person_id]
    with connection.cursor() as cur:
        cur.execute(_SQL, [person_id] * (len(_TABLES) + 4))
        row = cur.fetchone()
    text = "|".join("" if v is None else str(v) for v in row)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@contextlib.contextmanager
def one_revision(person_id: int, revision: str) -> Iterator[None]:
    """Within the block, `data_revision(person_id)` is `revision` without asking again."""
    token = _this_view.set({**(_this_view.get() or {}), person_id: revision})
    try:
        yield
    finally:
        _this_view.reset(token)


def _key(person_id: int, name: str, day: date, revision: str) -> str:
    return f"psoas:{name}:{person_id}:{day.isoformat()}:{revision}"


def per_revision(person_id: int, name: str, day: date, compute: Callable[[], T]) -> T:
    """`compute()` once per person, data revision and day (pages that say "today" change
    at midnight with no write); later calls get the stored result."""
    key = _key(person_id, name, day, data_revision(person_id))
    found: Any = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, LIFETIME_S)
    return found


def cached_body(
    person_id: int, name: str, day: date, template: str, context: Callable[[], dict]
) -> SafeString:
    """A page's main content rendered once per data revision and day. The body template
    must not depend on the request (no form tokens, no user): the frame around it does."""
    # rendered by the template engine, which escaped it; the cache keeps it marked safe
    return per_revision(
        person_id, name, day, lambda: mark_safe(render_to_string(template, context()))
    )


def cached_page(
    request: HttpRequest,
    person_id: int,
    name: str,
    day: date,
    page: Callable[[], tuple[str, dict[str, Any]]],
) -> HttpResponse:
    """A GET of a page whose content is kept per data revision and day: `page()` gives its
    template and context. The revision is read once for the whole view. Where the frame
    holds nothing of the visitor's own (no logins), the page as sent is kept too, unless
    it holds a form token or answers a query string: those are drawn for each visit."""
    revision = data_revision(person_id)
    shared = not settings.REQUIRE_LOGIN and not request.GET
    key = _key(person_id, f"page:{name}", day, revision)
    found = cache.get(key) if shared else _OWN
    if found is not None and found != _OWN:
        return HttpResponse(found)  # the bytes as sent before: nothing to encode again
    with one_revision(person_id, revision):
        template, context = page()
        response = HttpResponse(render_to_string(template, context, request))
    if found is None:
        # Django's form token marks the visit as using it: that page is this visitor's own.
        own = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        cache.set(key, _OWN if own else response.content, LIFETIME_S)
    return response


def forget_all() -> None:
    """After a restore, when earlier states may come back under the same ids."""
    cache.clear()
