"""The NinjaAPI: one instance, its routers by feature, OpenAPI at /api/openapi.json and
interactive docs at /api/docs (ninja's defaults under the /api/ mount; Swagger UI's files
come from ninja's own static folder, so the docs page works offline)."""

from __future__ import annotations

from ninja import NinjaAPI

from psoas.web.api import outcomes, plan, profile, sessions

api = NinjaAPI(
    title="psoas",
    version="1",
    description="Profile, plan, sessions, check-ins and progress for one person "
    "(local mode). Invalid input gets a 422 naming the field.",
)
for module in (profile, plan, sessions, outcomes):
    api.add_router("/", module.router)
