"""The frame around every page: the welcome page, login, and what makes the app
installable on a phone (a web app manifest and a service worker at the site's root)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from psoas.web.site.people import person_for


@require_safe
def welcome(request: HttpRequest) -> HttpResponse:
    """New here: what psoas is and is not, and a way in. With a plan: today's page."""
    if person_for(request).plans.filter(active=True).exists():
        return redirect("/today/")
    return render(request, "site/welcome.html")


@require_safe
def ping(request: HttpRequest) -> HttpResponse:
    """The smallest page the server can serve: the yardstick `bench/web.py` measures
    the real pages against."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "psoas: hip flexor care",
        "short_name": "psoas",
        "description": "Safe stretches and strength work for a tight or weak hip flexor.",
        "start_url": "/today/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f8f7",
        "theme_color": "#1f6f66",
        "icons": [
            {"src": "/static/site/icon.svg", "sizes": "any", "type": "image/svg+xml"},
            {
                "src": "/static/site/icon.svg",
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@never_cache
@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from the root so it may look after every page, not only /static/."""
    path = finders.find("site/sw.js")
    with open(path, encoding="utf-8") as fh:
        body = fh.read()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def login_paused(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """What django-axes answers once a login had too many wrong passwords (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "site/locked.html", context, status=429)


class Login(auth_views.LoginView):
    template_name = "site/login.html"
    redirect_authenticated_user = True

    def get_form_kwargs(self) -> dict:
        """In a clinic the login is the email, kept in lower case: Ann@X is ann@x."""
        kwargs = super().get_form_kwargs()
        if settings.CLINIC_MODE and "data" in kwargs:
            data = kwargs["data"].copy()
            data["username"] = data.get("username", "").strip().lower()
            kwargs["data"] = data
        return kwargs


def logout(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("/")
    return auth_views.LogoutView.as_view(next_page="/login/")(request)
