"""Django settings for the break runner's own process: the site's settings, with only the
apps whose tables the runner reads and writes (a person, their break settings and break
events) and those these need.

Why: the runner stays all day, and every app Django loads stays in its memory; the web
app's others (the API with django-ninja and pydantic, sessions, static files, logins)
would add about a fifth to it for nothing. The pages' data revision is read from the
tables, so the web app sees the runner's events all the same. This process never
migrates: `psoas breaks run` brings the store up to date with the full settings before it
starts the runner.
"""

from psoas.web.settings import *  # noqa: F403

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",  # a person may have a login
    "psoas.web.programs",  # the person
    "psoas.web.breaks",
]
MIDDLEWARE: list[str] = []
