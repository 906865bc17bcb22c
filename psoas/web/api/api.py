"""The NinjaAPI: one instance, its routers by feature, OpenAPI at /api/openapi.json and
interactive docs at /api/docs (ninja's defaults under the /api/ mount; Swagger UI's files
come from ninja's own static folder, so the docs page works offline).

Every error is JSON, `{"detail": ...}`, and every status a route may answer is in the
schema with its body (common.answers): a body over Django's upload limit is a 413 here, not
Django's HTML 400 page."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from ninja import NinjaAPI

from psoas.web.api import (
    blocks,
    breaks,
    coach,
    messages,
    outcomes,
    plan,
    profile,
    program_edits,
    sessions,
)
from psoas.web.api.common import describe_errors


class Api(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return describe_errors(super().get_openapi_schema(**kwargs))


api = Api(
    title="psoas",
    version="1",
    description="Profile, plan, sessions, check-ins, progress and blocks for one person "
    "(local mode). Invalid input gets a 422 naming the field; every other error is "
    '`{"detail": "field: message"}`.',
)
for module in (profile, plan, sessions, coach, outcomes, blocks, breaks, messages, program_edits):
    api.add_router("/", module.router)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request, {"detail": f"body: larger than {limit:,} bytes; send less"}, status=413
    )
