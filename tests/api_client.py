"""Calling the JSON API from a page test to set the stage (a profile, a plan, a log)."""

from __future__ import annotations

from django.test import Client


def api(client: Client, method: str, url: str, body=None):
    """The answer's JSON; anything but a 200 fails the test with the body."""
    r = getattr(client, method)(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()
