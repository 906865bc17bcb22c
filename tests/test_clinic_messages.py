"""Messages between a patient and their care team, and the patient overview for staff, on
PostgreSQL (clinic mode): sending both ways on the pages and the API, unread counts and
read receipts per reader, plain text escaped everywhere, the length limit, scoping (another
clinic's thread is not found), local mode without any of it, and reads that never write.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import override_settings

from psoas.core.planning.planner import build_plan
from psoas.core.profile import parse_profile
from psoas.web.clinic import scope
from psoas.web.messages.models import Message, MessageRead
from psoas.web.messages.threads import MAX_CHARS
from psoas.web.outcomes.services import add_checkin, save_psfs
from psoas.web.programs.services import save_plan, save_profile
from psoas.web.tracking.day import log_day
from psoas.web.tracking.queries import adjusted_session
from tests.clinic_seed import as_patient, as_staff, clinic_mode, world
from tests.test_reads_never_write import snapshot as every_table

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]

TODAY = date.today()
# Text that would run as script, or change the page, if it were ever shown as HTML.
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)> & <b>bold</b>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
PROFILE = {
    "schema": "psoas.profile/1",
    "age": 58,
    "sitting_hours_per_day": 8,  # a session every day
    "equipment": ["chair", "mat"],
    "pain": {"nprs": 5},
    "conditions": ["osteoporosis"],
    "limits": ["no_kneeling"],
}


@pytest.fixture
def w():
    made = world()
    made.pid = made.patients["A"].public_id
    return made


def patient_a(w):
    return as_patient(w.users["patient_a"])


def staff(w, role):
    return as_staff(w.users[role])


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def snapshot() -> dict[str, list[str]]:
    """Every table but the audit trail, the one write a staff member's GET makes (and
    must: docs/clinic.md, "Audit trail")."""
    from psoas.web.audit.models import AuditEvent

    return {t: rows for t, rows in every_table().items() if t != AuditEvent._meta.db_table}


def saved():
    """Every message in the store, as the operator sees it (outside any request)."""
    with scope.everyone():
        return Message.objects.all()


def text_of(response) -> str:
    return response.content.decode()


def nav_count(response) -> str | None:
    """The unread count the page's navigation shows, or None."""
    html = text_of(response)
    mark = '<span class="badge" data-unread-total><span data-count>'
    if mark not in html:
        return None
    return html.split(mark, 1)[1].split("<", 1)[0]


# --- sending both ways, unread counts and receipts per reader -----------------------------


@clinic_mode
def test_a_message_goes_both_ways_with_unread_counts_for_each_reader(w):
    w.patients["A"].other_clinicians.add(w.users["cole"])  # Cole is on A's team too
    pa, cara, cole = patient_a(w), staff(w, "cara"), staff(w, "cole")
    admin = staff(w, "north_admin")
    thread = f"/clinic/patients/{w.pid}/"

    sent = pa.post("/messages/", {"text": "My hip is sore after the bridges."})
    assert sent.status_code == 302 and sent["Location"] == "/messages/#newest"
    assert nav_count(cara.get("/clinic/")) == "1" and nav_count(cole.get("/clinic/")) == "1"
    inbox = cara.get("/clinic/messages/")
    assert "You have 1 unread message" in text_of(inbox) and w.pid in text_of(inbox)
    assert post_json(cara, "/api/clinic/messages", {}).status_code == 405
    assert cara.get("/api/clinic/messages").json() == {
        "unread": 1,
        "patients": [{"public_id": w.pid, "unread": 1}],
    }
    # the admin sees the thread, but is not the one written to
    assert admin.get("/api/clinic/messages").json()["unread"] == 0
    assert "My hip is sore" in text_of(admin.get(thread))

    # Cara reads it (a POST from the page): read for her, still unread for Cole
    page = cara.get(thread)
    newest = page.context["thread"]["newest_id"]
    assert page.context["thread"]["unread"] == 1 and "data-mark-read" in text_of(page)
    read = cara.post(f"{thread}messages/read/", {"upto": newest}, HTTP_ACCEPT="application/json")
    assert read.json() == {"unread": 0, "total": 0}
    assert nav_count(cara.get("/clinic/")) is None
    assert nav_count(cole.get("/clinic/")) == "1"
    assert cole.get(f"/api/clinic/patients/{w.pid}/messages").json()["unread"] == 1
    receipts = pa.get("/api/messages").json()["messages"][0]["read_by"]
    assert [r["who"] for r in receipts] == ["cara@north.example"]

    # Cara writes back from the overview; the patient sees it on Today and in the nav
    reply = cara.post(f"{thread}messages/", {"text": "Thanks. Do the bridges half as long."})
    assert reply.status_code == 302 and reply["Location"] == f"{thread}#newest"
    today = pa.get("/today/")
    assert "A message from your care team" in text_of(today)
    assert "Do the bridges half as long." in text_of(today)
    assert nav_count(today) == "1"
    mine = pa.get("/api/messages").json()
    assert mine["unread"] == 1 and [m["who"] for m in mine["messages"]] == [
        "You",
        "cara@north.example",
    ]
    # reading the page does not mark it read; its POST does
    assert pa.get("/messages/").context["thread"]["unread"] == 1
    upto = mine["messages"][-1]["id"]
    assert post_json(pa, "/api/messages/read", {"upto": upto}).json() == {
        "marked": 1,
        "unread": 0,
    }
    assert "A message from your care team" not in text_of(pa.get("/today/"))
    seen = cara.get(f"/api/clinic/patients/{w.pid}/messages").json()["messages"][-1]
    assert seen["mine"] and [r["who"] for r in seen["read_by"]] == ["Patient"]
    # the patient's reply through the API reaches both clinicians as unread
    back = post_json(pa, "/api/messages", {"text": "OK, will do."})
    assert back.status_code == 200 and back.json()["who"] == "You"
    assert cara.get("/api/clinic/messages").json()["unread"] == 1
    assert cole.get("/api/clinic/messages").json()["unread"] == 2
    # a staff message is never unread for another member of staff, nor gets their receipt
    cole_read = post_json(cole, f"/api/clinic/patients/{w.pid}/messages/read", {"upto": upto + 9})
    assert cole_read.json() == {"marked": 2, "unread": 0}
    assert not MessageRead.objects.filter(
        reader=w.users["cole"], message__from_patient=False
    ).exists()


@clinic_mode
def test_a_message_that_came_after_the_page_stays_unread(w):
    pa, cara = patient_a(w), staff(w, "cara")
    post_json(pa, "/api/messages", {"text": "first"})
    shown = cara.get(f"/api/clinic/patients/{w.pid}/messages").json()["messages"][-1]["id"]
    post_json(pa, "/api/messages", {"text": "second, after the page was drawn"})
    read = post_json(cara, f"/api/clinic/patients/{w.pid}/messages/read", {"upto": shown})
    assert read.json() == {"marked": 1, "unread": 1}


# --- plain text, escaped everywhere --------------------------------------------------------


@clinic_mode
def test_html_and_script_are_shown_as_text_everywhere(w):
    pa, cara = patient_a(w), staff(w, "cara")
    assert pa.post("/messages/", {"text": PAYLOAD}).status_code == 302
    assert cara.post(f"/clinic/patients/{w.pid}/messages/", {"text": PAYLOAD}).status_code == 302
    pages = [
        pa.get("/messages/"),
        pa.get("/today/"),
        cara.get(f"/clinic/patients/{w.pid}/"),
    ]
    for page in pages:
        html = text_of(page)
        assert page.status_code == 200
        assert "<script>alert" not in html and "<b>bold</b>" not in html
        assert "<img src=x" not in html
        assert ESCAPED in html and "&amp; &lt;b&gt;bold&lt;/b&gt;" in html
    for api in (pa.get("/api/messages"), cara.get(f"/api/clinic/patients/{w.pid}/messages")):
        assert api["Content-Type"] == "application/json; charset=utf-8"
        assert api["X-Content-Type-Options"] == "nosniff"
        assert [m["text"] for m in api.json()["messages"]] == [PAYLOAD, PAYLOAD]
    # a refused send shows what was typed back, escaped
    long = PAYLOAD + "x" * MAX_CHARS
    again = pa.post("/messages/", {"text": long})
    assert again.status_code == 422 and ESCAPED in text_of(again)
    assert "<script>alert" not in text_of(again)


@clinic_mode
def test_line_breaks_are_kept_and_nothing_else(w):
    pa = patient_a(w)
    pa.post("/messages/", {"text": "one\r\ntwo\n\n<br>three"})
    assert saved().get().text == "one\ntwo\n\n<br>three"
    assert "one<br>two<br><br>&lt;br&gt;three" in text_of(pa.get("/messages/"))


# --- the length limit and other bad input --------------------------------------------------


@clinic_mode
def test_the_length_limit_names_the_field_and_saves_nothing(w):
    pa, cara = patient_a(w), staff(w, "cara")
    too_long = "a" * (MAX_CHARS + 1)
    page = pa.post("/messages/", {"text": too_long})
    assert page.status_code == 422
    expected = f"Message: keep it to 1,000 characters or fewer (it has {MAX_CHARS + 1:,})."
    assert expected in text_of(page) and 'aria-invalid="true"' in text_of(page)
    staff_page = cara.post(f"/clinic/patients/{w.pid}/messages/", {"text": too_long})
    assert staff_page.status_code == 422 and expected in text_of(staff_page)
    for client, url in ((pa, "/api/messages"), (cara, f"/api/clinic/patients/{w.pid}/messages")):
        r = post_json(client, url, {"text": too_long})
        assert r.status_code == 422
        assert r.json()["detail"] == [
            {"type": "value_error", "loc": ["body", "payload", "text"], "msg": expected}
        ]
        blank = post_json(client, url, {"text": "  \n "})
        assert blank.json()["detail"][0]["msg"] == "Message: write something before you send it."
        nul = post_json(client, url, {"text": "a\x00b"})
        assert nul.json()["detail"][0]["msg"] == "Message: remove the NUL character (\\u0000)."
        missing = post_json(client, url, {})
        assert missing.status_code == 422
        assert missing.json()["detail"][0]["loc"] == ["body", "payload", "text"]
    assert not saved().exists()
    assert post_json(pa, "/api/messages", {"text": "a" * MAX_CHARS}).status_code == 200
    bad_read = pa.post("/messages/read/", {"upto": "soon"})
    assert bad_read.status_code == 422 and text_of(bad_read).startswith("upto:")


# --- scoping: another clinic's thread is not found ---------------------------------------


@clinic_mode
def test_other_clinics_and_other_patients_threads_are_not_found(w):
    pa = patient_a(w)
    post_json(pa, "/api/messages", {"text": "for my team only"})
    base = f"/clinic/patients/{w.pid}/"
    for role in ("sam", "south_admin", "cole"):
        client = staff(w, role)
        assert client.get(base).status_code == 404, role
        assert client.post(f"{base}messages/", {"text": "hello"}).status_code == 404, role
        assert client.post(f"{base}messages/read/", {"upto": 1}).status_code == 404, role
        api = f"/api{base.removesuffix('/')}/messages"
        assert client.get(api).status_code == 404, role
        assert post_json(client, api, {"text": "hello"}).status_code == 404, role
        assert post_json(client, f"{api}/read", {"upto": 1}).status_code == 404, role
        assert client.get("/api/clinic/messages").json()["unread"] == 0, role
    assert saved().count() == 1 and not MessageRead.objects.exists()
    # patient B sees only their own (empty) thread, and no staff route
    pb = as_patient(w.users["patient_b"])
    assert pb.get("/api/messages").json()["messages"] == []
    assert "for my team only" not in text_of(pb.get("/messages/"))
    assert pb.get("/api/clinic/messages").status_code == 404
    assert pb.get(base).status_code == 404
    # staff have no patient's thread of their own
    assert staff(w, "cara").get("/messages/").status_code == 404
    assert staff(w, "cara").get("/api/messages").status_code == 404


@clinic_mode
def test_staff_need_the_second_factor_for_the_api(w):
    from django.test import Client

    client = Client()
    client.force_login(w.users["cara"])  # password only
    r = client.get("/api/clinic/messages")
    assert r.status_code == 401 and r.json()["detail"].startswith("second factor:")
    page = client.post(f"/clinic/patients/{w.pid}/messages/", {"text": "hi"})
    assert page.status_code == 302 and page["Location"].startswith("/clinic/second-factor/")
    assert not saved().exists()


def test_local_mode_has_no_messages_and_today_is_unchanged(client):
    from psoas.web.programs.services import local_person

    person = local_person()
    version = save_profile(person, {k: v for k, v in PROFILE.items() if k != "conditions"})
    save_plan(person, version, build_plan(parse_profile(PROFILE)), TODAY)
    for url in ("/messages/", "/clinic/messages/", "/api/messages", "/api/clinic/messages"):
        assert client.get(url).status_code == 404, url
    assert client.post("/messages/", {"text": "hi"}).status_code == 404
    assert client.post("/messages/read/", {"upto": 1}).status_code == 404
    assert post_json(client, "/api/messages", {"text": "hi"}).status_code == 404
    today = client.get("/today/")
    assert today.status_code == 200 and "note" not in today.context
    assert "Messages" not in text_of(today) and not saved().exists()


# --- the overview ----------------------------------------------------------------------------


def seed_history(w) -> None:
    """Patient A with the clinician's answers, three weeks into a plan: sessions with pain,
    check-ins and two activity checks."""
    patient = w.patients["A"]
    patient.clinician_answers = {"conditions": ["osteoporosis"], "limits": ["no_kneeling"]}
    patient.save()
    person = patient.person
    version = save_profile(person, PROFILE)
    plan = save_plan(person, version, build_plan(parse_profile(PROFILE)), TODAY - timedelta(20))
    for back in (19, 15, 12, 8, 5, 2):
        day = TODAY - timedelta(days=back)
        log_day(person, plan, day, adjusted_session(plan, day), pain_before=5, pain_after=4)
        add_checkin(person, day, 5 if back > 10 else 3, [], "")
    names = {"activity_1_name": "walking", "activity_2_name": "stairs", "activity_3_name": "sit"}
    save_psfs(
        person, TODAY - timedelta(19), {**names, "activity_1": 3, "activity_2": 4, "activity_3": 3}
    )
    save_psfs(
        person, TODAY - timedelta(5), {**names, "activity_1": 6, "activity_2": 7, "activity_3": 6}
    )


def test_the_overview_shows_the_patients_charts_plan_scores_and_health(w):
    seed_history(w)
    from psoas.web.clinic.models import Alert

    with scope.everyone():
        for key, status in (("pain_rise:1", "open"), ("no_session:2", "resolved")):
            Alert.objects.create(
                person=w.patients["A"].person, key=key, rule=key.split(":")[0],
                severity="high", since=TODAY, fired_on=TODAY, status=status,
                message=f"Alert {key} for the test.",
            )  # fmt: skip
    with clinic_mode:
        page = staff(w, "cara").get(f"/clinic/patients/{w.pid}/")
        admin = staff(w, "north_admin").get(f"/clinic/patients/{w.pid}/")
        refused = [staff(w, r).get(f"/clinic/patients/{w.pid}/") for r in ("cole", "sam")]
    assert page.status_code == 200 and admin.status_code == 200
    assert [r.status_code for r in refused] == [404, 404]
    assert page["Cache-Control"] == "no-store"
    html = text_of(page)
    progress = page.context["progress"]
    # the same charts as the patient's Progress page, drawn by its code
    for chart in (progress["pain"]["chart"], progress["adherence"]["chart"]):
        assert chart.startswith("<svg") and chart in html
    assert progress["psfs"]["chart"] in html and "Activity score" in html
    assert "Pain over the last 12 weeks" in html
    plan = page.context["plan"]
    assert not plan["stopped"] and plan["week"]["current"] and plan["week"]["sessions"]
    assert "Plan in force" in html and f'/clinic/patients/{w.pid}/program/"' in html
    sessions = page.context["sessions"]
    assert len(sessions) == 6 and sessions[0]["pain_after"] == 4
    assert sessions[0]["date"] == TODAY - timedelta(2)
    scores = {q["name"]: q for q in page.context["questionnaires"]}
    assert len(scores) == 1
    psfs = next(iter(scores.values()))
    assert (round(psfs["baseline"], 2), round(psfs["latest"], 2), psfs["mcid"]) == (3.33, 6.33, 2)
    assert psfs["message"]
    health = page.context["health"]
    assert health["conditions"] == [{"name": health["conditions"][0]["name"], "by_clinician": True}]
    assert health["limits"][0]["by_clinician"] is True
    assert "(from the clinician)" in html
    assert "Alert pain_rise:1 for the test." in html  # open alerts, read only
    assert "no_session:2" not in html and [a["name"] for a in page.context["alerts"]] == ["Pain up"]


def test_the_overview_before_the_intake_shows_the_clinicians_answers(w):
    patient = w.patients["A"]
    patient.clinician_answers = {"conditions": ["osteoporosis"]}
    patient.save()
    with clinic_mode:
        page = staff(w, "cara").get(f"/clinic/patients/{w.pid}/")
    assert page.status_code == 200 and page.context["plan"] is None
    assert "has not done the intake yet" in text_of(page)
    assert page.context["health"]["conditions"][0]["by_clinician"] is True
    assert "No sessions yet." in text_of(page)


# --- reads never write -----------------------------------------------------------------------


def test_reading_threads_and_the_overview_never_writes(w):
    seed_history(w)
    with clinic_mode:
        pa, cara = patient_a(w), staff(w, "cara")
        post_json(pa, "/api/messages", {"text": "unread by Cara"})
        cara.post(f"/clinic/patients/{w.pid}/messages/", {"text": "unread by the patient"})
        before = snapshot()
        reads = [
            (pa, "/messages/"),
            (pa, "/today/"),
            (pa, "/api/messages"),
            (cara, "/clinic/messages/"),
            (cara, f"/clinic/patients/{w.pid}/"),
            (cara, "/api/clinic/messages"),
            (cara, f"/api/clinic/patients/{w.pid}/messages"),
        ]
        for client, url in reads:
            for method in ("get", "head") if "/api/" not in url else ("get",):
                r = getattr(client, method)(url)
                assert r.status_code == 200, (method, url)
                after = snapshot()
                changed = [t for t in before if before[t] != after.get(t)]
                assert not changed, f"{method.upper()} {url} changed {changed}"
        # and still unread for both
        assert pa.get("/api/messages").json()["unread"] == 1
        assert cara.get("/api/clinic/messages").json()["unread"] == 1


# --- the API's description --------------------------------------------------------------------


@override_settings(CLINIC_MODE=False)
def test_the_api_describes_the_message_operations(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/messages"]) == {"get", "post"}
    assert set(paths["/api/messages/read"]) == {"post"}
    assert set(paths["/api/clinic/messages"]) == {"get"}
    assert set(paths["/api/clinic/patients/{public_id}/messages"]) == {"get", "post"}
    assert set(paths["/api/clinic/patients/{public_id}/messages/read"]) == {"post"}
    write = paths["/api/messages"]["post"]["responses"]
    assert {"200", "401", "404", "422"} <= set(write)


@clinic_mode
def test_writes_from_another_site_are_refused(w):
    """A message is sent only from psoas's own pages (same_origin_writes): a form or a
    script on another site gets 403 and nothing is saved."""
    pa, cara = patient_a(w), staff(w, "cara")
    evil = {"HTTP_ORIGIN": "https://evil.example"}
    assert pa.post("/messages/", {"text": "hi"}, **evil).status_code == 403
    assert (
        pa.post("/messages/", {"text": "hi"}, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    )
    r = pa.post("/api/messages", json.dumps({"text": "hi"}), "application/json", **evil)
    assert r.status_code == 403 and r.json()["detail"].startswith("Origin:")
    staff_url = f"/clinic/patients/{w.pid}/messages/"
    assert cara.post(staff_url, {"text": "hi"}, **evil).status_code == 403
    as_form = pa.post("/api/messages", {"text": "hi"})  # not JSON: a plain form's body
    assert as_form.status_code == 415
    assert not saved().exists()
