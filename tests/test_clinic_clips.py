"""A clinician's clip uploads on PostgreSQL (psoas/web/clips): the form's checks, each
naming its field; the upload queued with its job (clinic mode), and a real in-process
Procrastinate worker (the in-memory connector) running it; a file that is no video ends
as a failed upload with `psoas analyze`'s reason and its video deleted; a duplicated job
writes one result; scoping (another clinic's or another clinician's patient: 404); every
view audited without the file's name; 404 in local mode. The squat clip through a real
`psoas worker` process and a browser is tests/e2e/test_clinic_clips.py.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from psoas.web.audit.models import AuditEvent
from psoas.web.clinic import scope
from psoas.web.clips import tasks
from psoas.web.clips.models import ClipAnalysis
from psoas.web.clips.views import MAX_BYTES, coached_exercises
from psoas.web.jobs.models import JobDone
from tests.clinic_seed import (
    as_staff,
    queue_fixture,  # noqa: F401 (the `queue` fixture)
    run_queue,
    world,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.store, pytest.mark.postgres]

NAME = "Jane Roe knee clip.mp4"  # a name a person gave: never in a URL, a log or the trail
NOT_A_VIDEO = b"These are notes, not a video.\n" * 20


@pytest.fixture
def w(queue):
    return world()


def url(w, key: str = "A") -> str:
    return f"/clinic/patients/{w.patients[key].public_id}/clips/"


def upload(client, target: str, data: bytes = NOT_A_VIDEO, name: str = NAME, **fields):
    form = {"exercise": "forward_lunge", "side": "right", "crop": "", **fields}
    if data is not None:
        form["clip"] = SimpleUploadedFile(name, data, content_type="video/mp4")
    return client.post(target, form)


def rows(w, key: str = "A") -> list[ClipAnalysis]:
    with scope.everyone():
        return list(ClipAnalysis.objects.filter(person=w.patients[key].person))


def test_the_form_offers_the_coached_exercises_and_says_what_happens_to_the_video(w):
    page = as_staff(w.users["cara"]).get(url(w))
    assert page.status_code == 200
    text = page.content.decode()
    names = [ex.name for ex in coached_exercises()]
    assert names and all(n in text for n in names)
    assert "Foam roll" not in text  # the camera cannot coach foam rolling
    assert "then we delete it, also when the analysis fails" in text
    assert 'enctype="multipart/form-data"' in text and "No clips yet." in text


@pytest.mark.parametrize(
    ("fields", "data", "name", "message"),
    [
        ({"exercise": "nope"}, NOT_A_VIDEO, NAME, "Exercise: choose one of the exercises"),
        ({"exercise": "foam_roll_tfl"}, NOT_A_VIDEO, NAME, "Exercise: choose one of"),
        ({"side": "up"}, NOT_A_VIDEO, NAME, "Side: choose left or right."),
        ({"crop": "1,2,3"}, NOT_A_VIDEO, NAME, "Crop: &#x27;1,2,3&#x27; is not X,Y,W,H"),
        ({"crop": "0,0,8,8"}, NOT_A_VIDEO, NAME, "Crop: W and H must be at least 32 pixels"),
        ({}, None, NAME, "Clip: choose a video file to upload."),
        ({}, b"", NAME, "Clip: choose a video file to upload."),
        ({}, NOT_A_VIDEO, "notes.txt", "Clip: only a video can be analysed; use .mp4, .mov"),
    ],
)
def test_a_wrong_field_is_refused_by_name_and_nothing_is_kept(w, queue, fields, data, name,
                                                              message):  # fmt: skip
    answer = upload(as_staff(w.users["cara"]), url(w), data, name, **fields)
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert rows(w) == [] and queue.connector.jobs == {}


def test_a_clip_over_the_size_limit_is_refused(w, queue, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # the big file goes to a temporary file
    answer = upload(as_staff(w.users["cara"]), url(w), b"\0" * (MAX_BYTES + 1))
    assert answer.status_code == 422
    assert "Clip: the file is 40 MB; the most is 40 MB" in answer.content.decode()
    assert rows(w) == []


def test_a_file_that_is_no_video_fails_with_the_reason_and_its_video_is_deleted(w, queue):
    cara = as_staff(w.users["cara"])
    answer = upload(cara, url(w), crop="10,10,64,64")
    assert answer.status_code == 303
    [row] = rows(w)
    assert answer["Location"] == f"{url(w)}{row.public_id}/"
    assert NAME not in answer["Location"] and "Jane" not in answer["Location"]
    assert row.status == "queued" and bytes(row.video) == NOT_A_VIDEO
    assert (row.exercise, row.side, row.crop, row.suffix) == ("forward_lunge", "right",
                                                              "10,10,64,64", ".mp4")  # fmt: skip
    assert row.uploader_name == "cara@north.example"
    queued = cara.get(answer["Location"]).content.decode()
    assert "Waiting for its turn" in queued and "Check again" in queued

    seen = run_queue(queue, "clips")
    assert [j["status"] for j in seen] == ["succeeded"]
    assert seen[0]["args"] == {"analysis_id": row.pk}  # an id: no name, no bytes
    [row] = rows(w)
    assert row.status == "failed" and row.video is None and row.result is None
    assert row.reason == (
        "Clip: the file is not a video or a picture psoas can read "
        "(use a video such as .mp4, .mov or .webm, or a .jpg or .png picture)"
    )
    page = cara.get(answer["Location"]).content.decode()
    assert "Could not be analysed" in page and "Why: Clip: the file is not a video" in page
    assert "The video has been deleted." in page
    listing = cara.get(url(w)).content.decode()
    assert "Forward lunge, right side" in listing and "Could not be analysed" in listing


def test_a_duplicated_job_writes_one_result(w, queue):
    upload(as_staff(w.users["cara"]), url(w))
    [row] = rows(w)
    tasks.analyse_clip.defer(analysis_id=row.pk)  # the same job twice in the queue
    seen = run_queue(queue, "clips")
    assert [j["status"] for j in seen] == ["succeeded", "succeeded"]
    [after] = rows(w)
    assert after.status == "failed" and after.video is None
    assert JobDone.objects.filter(key=f"clip:{row.pk}").count() == 1
    # a run that comes after the result, even with the video somehow back, changes nothing
    with scope.everyone():
        ClipAnalysis.objects.filter(pk=row.pk).update(video=b"again", reason="kept")
    with scope.everyone():
        tasks.analyse_clip(analysis_id=row.pk)
    [again] = rows(w)
    assert again.reason == "kept" and again.finished_at == after.finished_at


def test_the_result_page_shows_reps_faults_and_warnings_in_plain_words(w):
    with scope.everyone():
        row = ClipAnalysis.objects.create(
            public_id="done-one", person=w.patients["A"].person, uploader_name="cara",
            exercise="forward_lunge", side="left", suffix=".mp4", status="done",
            result={
                "schema": "psoas.analysis/1", "exercise": "forward_lunge", "side": "left",
                "frames": 65, "fps": 5.0, "person_frames": 64, "view": "front", "reps": 2,
                "rep_details": [{"start_s": 0.8, "end_s": 3.8, "rom_deg": 95.4, "tempo_s": 3.0},
                                {"start_s": 6.2, "end_s": 8.6, "rom_deg": 88.0, "tempo_s": 2.4}],
                "holds": [],
                "faults": [{"t_s": 2.2, "rep": 1, "id": "knee_past_toes",
                            "message": "Your knee is past your toes"}],
                "warnings": ["Turn side-on to the camera"],
            },
        )  # fmt: skip
    page = as_staff(w.users["north_admin"]).get(f"{url(w)}{row.public_id}/")
    text = page.content.decode()
    assert page.status_code == 200 and "Status: <strong>Done</strong>" in text
    assert "65 frames (13.0 seconds). A person in 64 of them. View: from the front." in text
    assert "2 reps" in text
    assert "From 0.8 s to 3.8 s: moved through 95°, took 3.0 seconds." in text
    assert "At 2.2 s (rep 1): Your knee is past your toes" in text
    assert "Turn side-on to the camera" in text


def test_only_the_care_team_and_the_clinic_admin_see_a_patients_clips(w, queue):
    upload(as_staff(w.users["cara"]), url(w))
    [row] = rows(w)
    one = f"{url(w)}{row.public_id}/"
    for user in ("cara", "north_admin"):
        assert as_staff(w.users[user]).get(one).status_code == 200, user
    for user in ("cole", "sam", "south_admin"):
        staff = as_staff(w.users[user])
        assert staff.get(one).status_code == 404, user
        assert staff.get(url(w)).status_code == 404, user
        assert upload(staff, url(w)).status_code == 404, user
    # A's clip asked for under B's address: not found, even by B's clinician
    assert as_staff(w.users["cole"]).get(f"{url(w, 'B')}{row.public_id}/").status_code == 404
    assert as_staff(w.users["cara"]).get(f"{url(w)}no-such-clip/").status_code == 404
    assert len(rows(w)) == 1


def test_every_view_is_audited_and_the_file_name_is_nowhere(w, queue):
    cara = as_staff(w.users["cara"])
    posted = upload(cara, url(w))
    cara.get(posted["Location"])
    cara.get(url(w))
    with scope.everyone():
        trail = list(
            AuditEvent.objects.filter(route__in=["clinic-clips", "clinic-clip"]).order_by("id")
        )
    # the upload (the request, and the record it saved), the result page, the list
    assert [(e.route, e.action) for e in trail] == [
        ("clinic-clips", "change"),
        ("clinic-clips", "change"),
        ("clinic-clip", "view"),
        ("clinic-clips", "view"),
    ]
    assert {e.patient for e in trail} == {w.patients["A"].public_id}
    with scope.everyone():
        everything = [str(vars(e)) for e in AuditEvent.objects.all()]
    assert not any("Jane" in e for e in everything)
    assert all("Jane" not in str(j["args"]) for j in queue.connector.jobs.values())


def test_local_mode_has_no_clip_pages(client, settings):
    settings.CLINIC_MODE = False
    settings.REQUIRE_LOGIN = False
    with override_settings(CLINIC_MODE=False):
        assert client.get("/clinic/patients/x/clips/").status_code == 404
        assert client.get("/clinic/patients/x/clips/y/").status_code == 404
        answer = client.post("/clinic/patients/x/clips/", {"exercise": "forward_lunge"})
        assert answer.status_code == 404
