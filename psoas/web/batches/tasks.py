"""The batch's job: one patient's report, rendered and kept at most once.

One job per patient, so a 200-report batch spreads over every worker and a failure
retries one report, not the batch. The key is the batch row's (one per batch and
patient): a retried or duplicated job finds the key and renders nothing."""

from __future__ import annotations

from psoas import jobs
from psoas.jobs.failures import person_of


def key(report_id: int) -> str:
    return f"batch-report:{report_id}"


@jobs.task(queue="reports", retries=3, about=person_of("batches.BatchReport", "report_id"))
def render_batch_report(report_id: int) -> None:
    from psoas.web.account.downloads import report_file
    from psoas.web.batches.models import BatchReport, State
    from psoas.web.jobs.tasks import keep_report
    from psoas.web.programs.services import active_plan

    if jobs.done(key(report_id)):
        return  # a duplicate: skip the drawing as well as the row
    row = BatchReport.objects.select_related("batch", "person").filter(pk=report_id).first()
    if row is None:  # the batch or the patient is gone
        return
    plan = active_plan(row.person)
    made = report_file(row.person, plan, None, row.batch.end) if plan else None
    with jobs.once(key(report_id)) as first:
        if not first:
            return
        if made is None:
            row.state = State.NO_PLAN
        else:
            row.file = keep_report(row.person, made[1], made[0])
            row.state = State.READY
        row.save(update_fields=["state", "file"])
