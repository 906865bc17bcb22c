"""A clinician's clip upload in a real browser, on a real clinic server (`psoas serve`
with PSOAS_MODE=clinic on a fresh PostgreSQL database) with a real `psoas worker` process
running the analysis: the admin (the patient's clinician) opens the patient's overview,
follows the link to the clips, is refused a form with no file (the message names the
field), uploads the squat fixture clip (../shared/coach, two squats and an unfinished third)
as forward lunges and a text file named like a video, sees both waiting, runs the worker,
and reads the result: 2 reps with their range and tempo and the camera warning; the text
file failed with `psoas analyze`'s reason. Both videos are gone from the database, and the
names the files had are in no address, job, log or audit row. Every page passes axe-core
at a laptop's width and at 375 px, and the form is sent from the keyboard."""

from __future__ import annotations

import shutil
import subprocess

import psycopg
import pytest

from tests.coach_fixtures import footage
from tests.e2e.check import main_text
from tests.e2e.clinic_flows import admin_joins, check_wide_and_narrow, patient_joins
from tests.e2e.conftest import PSOAS, ROOT

pytestmark = [pytest.mark.store, pytest.mark.postgres]

SQUATS = "Jane Roe squats.mp4"  # names a person gave: never in an address, a log or the trail
NOTES = "Jane Roe notes.mp4"
WORKER_TIMEOUT_S = 900  # the pose model on a busy 2-core machine: the clip is 13 s long


def query(env, sql: str) -> list[tuple]:
    with psycopg.connect(env["PSOAS_DATABASE_URL"], autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def upload(page, path, exercise: str) -> str:
    page.get_by_label("Exercise").select_option(exercise)
    page.get_by_label("Right").check()
    page.get_by_label("Video").set_input_files(str(path))
    page.get_by_role("button", name="Upload and analyse").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/clips/*/")
    return page.url


def test_a_clip_is_uploaded_analysed_by_the_worker_and_its_video_deleted(
    clinic, page, phone, tmp_path
):
    admin_joins(clinic, page, "clips-0-invite-staff")
    patient_joins(clinic, phone, "clips-0-invite-patient")

    # from the overview to the form; a form without a file is refused, naming the field
    page.goto(clinic.url + "clinic/")
    page.locator("main a[href^='/clinic/patients/']").first.click()
    page.wait_for_url("**/clinic/patients/*/")
    page.get_by_role("link", name="Upload a clip or see the results").click()
    page.wait_for_url("**/clips/")
    assert "No clips yet." in main_text(page)
    assert "we delete it, also when the analysis fails" in main_text(page)
    check_wide_and_narrow(page, "clips-1-form")
    page.get_by_role("button", name="Upload and analyse").click()
    assert "Clip: choose a video file to upload." in main_text(page)
    check_wide_and_narrow(page, "clips-2-refused")

    # the squat clip, made for this test from the fixture under a person's kind of name
    squats = tmp_path / SQUATS
    shutil.copyfile(footage("pose_squats.mp4"), squats)
    notes = tmp_path / NOTES
    notes.write_text("Notes from the visit, not a video.\n" * 10)
    done_url = upload(page, squats, "forward_lunge")
    assert "Waiting for its turn" in main_text(page)
    check_wide_and_narrow(page, "clips-3-queued")
    page.goto(done_url.rsplit("/clips/", 1)[0] + "/clips/")
    failed_url = upload(page, notes, "glute_bridge")
    assert query(clinic.env, "SELECT count(*) FROM clips_clipanalysis WHERE video IS NULL") == [
        (0,)
    ]

    worker = subprocess.run(
        [PSOAS, "worker", "--until-empty", "--queue", "clips"],
        env=clinic.env, cwd=ROOT, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr
    page.goto(done_url)
    text = main_text(page)
    assert "Status: Done." in text and "2 reps" in text, text
    assert text.count("moved through") == 2 and "Warnings" in text and "side-on" in text
    assert "View: from the front." in text and "The video has been deleted." in text
    check_wide_and_narrow(page, "clips-4-done")
    page.goto(failed_url)
    text = main_text(page)
    assert "Status: Could not be analysed." in text
    assert "Why: Clip: the file is not a video or a picture psoas can read" in text
    check_wide_and_narrow(page, "clips-5-failed")
    page.goto(done_url.rsplit("/clips/", 1)[0] + "/clips/")
    assert "Forward lunge, right side" in main_text(page)
    assert "Glute bridge, right side" in main_text(page)

    # the videos are gone; the names the files had are nowhere
    rows = query(clinic.env, "SELECT status, video IS NULL, result->>'reps' FROM "
                             "clips_clipanalysis ORDER BY id")  # fmt: skip
    assert rows == [("done", True, "2"), ("failed", True, None)]
    kept = query(
        clinic.env,
        "SELECT (SELECT string_agg(t::text, ' ') FROM audit_auditevent t)"
        " || (SELECT string_agg(j::text, ' ') FROM procrastinate_jobs j)",
    )[0][0]
    assert "clinic-clips" in kept and "Jane" not in kept
    assert "Jane" not in worker.stdout + worker.stderr
    assert "Jane" not in done_url + failed_url
