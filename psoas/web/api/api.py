"""The NinjaAPI: one instance, its routers by feature, OpenAPI at /api/openapi.json and
interactive docs at /api/docs (ninja's defaults under the /api/ mount)."""

from __future__ import annotations

from ninja import NinjaAPI

from psoas.web.api import outcomes, plan, profile, sessions
from psoas.web.api.docs import StandaloneSwagger

api = NinjaAPI(
    title="psoas",
    version="1",
    description="Profile, plan, sessions, check-ins and progress for one person "
    "(local mode). Invalid input gets a 422 naming the field.",
    docs=StandaloneSwagger(),
)
for module in (profile, plan, sessions, outcomes):
    api.add_router("/", module.router)
