"""The /api/docs page without a TEMPLATES setting. ninja renders its Swagger page through
Django's default template engine, which this project does not configure yet (there are
no pages); a standalone engine renders the same page. The page loads Swagger UI from a
CDN, so it needs the network; the JSON schema at /api/openapi.json does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.template import Context, Engine
from ninja.openapi.docs import Swagger


class StandaloneSwagger(Swagger):
    def render_page(self, request: Any, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        page = Engine().from_string(Path(self.template_cdn).read_text())
        context = {"swagger_settings": json.dumps(self.settings), "api": api, "add_csrf": False}
        return HttpResponse(page.render(Context(context)))
