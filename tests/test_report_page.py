"""A person's own report through the task queue's pages (psoas/web/jobs/report_views.py),
in local mode where the job runs right after the POST: no plan is 409 with the reason;
the POST asks and leads to the report's page, which links to the file; someone else's or
an unknown token is 404. The clinic path (a worker renders it, another server hands it
out) is in tests/test_clinic_multiserver.py."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from psoas.web.jobs.models import GeneratedFile
from tests.api_client import api
from tests.test_jobs_local import PROFILE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store]


def test_no_plan_is_409_with_the_reason(client):
    r = client.get("/reports/")
    assert r.status_code == 409
    assert "there is no plan yet" in r.content.decode()
    assert client.post("/reports/").status_code == 409
    assert not GeneratedFile.objects.exists()


def test_asking_leads_to_the_page_with_the_download(client):
    api(client, "put", "/api/profile", PROFILE)
    api(client, "post", "/api/plan", {"start": (date.today() - timedelta(days=3)).isoformat()})
    form = client.get("/reports/").content.decode()
    assert 'action="/reports/"' in form and "Make my report" in form
    asked = client.post("/reports/")
    assert asked.status_code == 302
    token = re.fullmatch(r"/reports/([\w-]+)/", asked["Location"]).group(1)
    page = client.get(asked["Location"]).content.decode()
    assert "Your report is ready" in page and f'href="/files/{token}"' in page
    pdf = client.get(f"/files/{token}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/reports/no-such-token/").status_code == 404
