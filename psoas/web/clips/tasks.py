"""The job that analyses an uploaded clip, and the upload that defers it.

In clinic mode the job waits in the queue for `psoas worker` (the pose model takes about as
long as the clip lasts, too long for a request); in local mode `defer` would run it inline,
but the pages that upload are clinic mode's only. The job writes the video's bytes to a
private scratch file, runs the same analysis as `psoas analyze` (psoas.coach.clip), and
then, done or failed, empties the stored video and deletes the scratch file. Its result is
written once (`jobs.once`), so a duplicated or retried job changes nothing.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from psoas import jobs
from psoas.jobs.failures import person_of
from psoas.web.clips.models import ClipAnalysis

log = logging.getLogger("psoas.clips")
FIELD = "Clip"  # the name errors about the video start with, as the upload form names it
SERVER_TROUBLE = (
    "The analysis stopped because of a problem on the server. Please upload the clip again."
)


def upload(
    person: Any, user: Any, exercise: str, side: str, crop: str, suffix: str, data: bytes
) -> ClipAnalysis:
    """Keep the clip with its patient and queue its analysis (in the caller's transaction)."""
    from psoas.web.audit.trail import actor_name
    from psoas.web.clinic.models import new_public_id

    found = ClipAnalysis.objects.create(
        public_id=new_public_id(),
        person=person,
        uploaded_by=user,
        uploader_name=actor_name(user),
        exercise=exercise,
        side=side,
        crop=crop,
        suffix=suffix,
        video=data,
    )
    analyse_clip.defer(analysis_id=found.pk)
    return found


@jobs.task(queue="clips", retries=2, about=person_of("clips.ClipAnalysis", "analysis_id"))
def analyse_clip(analysis_id: int) -> None:
    """Analyse the clip, keep the report (or the reason it failed), and drop the video."""
    key = f"clip:{analysis_id}"
    if jobs.done(key):
        return
    found = ClipAnalysis.objects.filter(pk=analysis_id).first()
    if found is None or found.video is None:  # erased, or already read by another run
        return
    ClipAnalysis.objects.filter(pk=analysis_id, status=ClipAnalysis.Status.QUEUED).update(
        status=ClipAnalysis.Status.RUNNING
    )
    result, reason = _analyse(found)
    with jobs.once(key) as first:
        if first:
            ClipAnalysis.objects.filter(pk=analysis_id).update(
                status=ClipAnalysis.Status.DONE if result else ClipAnalysis.Status.FAILED,
                result=result,
                reason=reason,
                video=None,
                finished_at=timezone.now(),
            )


def _analyse(found: ClipAnalysis) -> tuple[dict[str, Any] | None, str]:
    """The report and no reason, or no report and a one-line reason a person can act on.
    The scratch file is private (mode 600), named at random, and gone when this returns."""
    from psoas.coach import CoachUnavailable
    from psoas.coach.clip import analyze_clip
    from psoas.coach.video import Crop, VideoError
    from psoas.core.content.loader import catalog

    fd, name = tempfile.mkstemp(prefix="psoas-clip-", suffix=found.suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(bytes(found.video))
        exercise = catalog().exercises[found.exercise]
        crop = Crop.parse(found.crop, name="Crop") if found.crop else None
        return analyze_clip(path, exercise, found.side, crop, name=FIELD), ""
    except (VideoError, CoachUnavailable) as exc:
        # The scratch file's name means nothing to the reader: "the file" says it.
        return None, str(exc).replace(repr(str(path)), "the file").replace("--crop", "Crop")
    except Exception:
        log.exception("clip analysis %s stopped", found.public_id)
        return None, SERVER_TROUBLE
    finally:
        path.unlink(missing_ok=True)
