"""The WSGI application `psoas serve` hands to its production server."""

from __future__ import annotations

from psoas.web import bootstrap

bootstrap.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
