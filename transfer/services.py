"""Spreadsheet import and export of a programme: one code path for browser, admin and commands.

Import: file → rows (`workbook`) → validated rows with every error → a plan (`plan`) shown
as the preview → applied in one transaction through `measures_apply_bulk`, so each changed
measure gets its ChangeRecord (source "import") and a new version. Any error refuses the
whole file and nothing changes. Every import is logged as an ImportRun.
"""

import gc
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from masterplan import jobs
from masterplan.models import Programme
from masterplan.numbers import format_decimal
from measures.models import ChangeRecord, Measure
from measures.services import BulkResult, measures_apply_bulk

from . import export
from .columns import KINDS, MEASURES
from .errors import FileRefused, RowError, errors_listed
from .models import ImportRun
from .plan import Plan, build_plan, change_summary, number_key
from .rows import Rows, read_rows
from .sheets import read_sheets

logger = logging.getLogger(__name__)

EXPORT_FORMATS = ("xlsx", "ods", "csv")
RUNNING = (ImportRun.State.VALIDATING, ImportRun.State.APPLYING)


def import_max_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


def import_inline_max_bytes() -> int:
    """Files up to this size are checked and applied at once; larger ones by a worker."""
    return getattr(settings, "IMPORT_INLINE_MAX_BYTES", 256 * 1024)


def too_large_error(size: int) -> RowError:
    return RowError(
        _("Die Datei ist zu groß (%(size)s MB); erlaubt sind höchstens %(limit)s MB.")
        % {
            "size": format_decimal(size / 1024 / 1024, decimal_places=1),
            "limit": format_decimal(import_max_bytes() / 1024 / 1024, decimal_places=1),
        }
    )


def unreadable_error(error: Exception) -> RowError:
    reason = f"{type(error).__name__}: {error}".strip().removesuffix(":")
    return RowError(
        _(
            "Die Datei ist beschädigt und kann nicht gelesen werden (%(reason)s). Bitte die "
            "Datei in Excel oder LibreOffice öffnen, neu speichern und erneut hochladen."
        )
        % {"reason": reason[:200]}
    )


@dataclass
class Timings:
    phases: dict[str, float] = field(default_factory=dict)

    def measure(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.phases[name] = now - started
        return now


def import_rows(
    *, programme: Programme, file_name: str, data: bytes, timings: Timings | None = None
) -> Rows:
    """Read and validate a file, without the database. Raises FileRefused for unreadable files."""
    timings = timings or Timings()
    if len(data) > import_max_bytes():
        raise FileRefused([too_large_error(len(data))])
    started = time.perf_counter()
    try:
        _format, sheets = read_sheets(name=file_name, data=data)
    except (FileRefused, MemoryError):
        raise
    except Exception as error:  # a damaged file the reader did not recognise as such
        logger.warning("Reading %s failed", file_name, exc_info=True)
        raise FileRefused([unreadable_error(error)]) from None
    started = timings.measure("read", started)
    rows = read_rows(sheets=sheets, groups=list(programme.working_groups.order_by("number")))
    timings.measure("validate", started)
    return rows


def import_plan(
    *, programme: Programme, file_name: str, data: bytes, timings: Timings | None = None
) -> Plan:
    """Read, validate and plan a file. Raises FileRefused for files that cannot be read."""
    timings = timings or Timings()
    rows = import_rows(programme=programme, file_name=file_name, data=data, timings=timings)
    started = time.perf_counter()
    plan = build_plan(programme=programme, rows=rows)
    timings.measure("plan", started)
    return plan


def measures_lock(*, programme: Programme) -> None:
    """Lock every measure of the programme until the transaction ends (in one order, so two
    imports queue instead of deadlocking): what a plan built now sees stays so until applied."""
    list(
        Measure.objects.select_for_update()
        .filter(programme=programme)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def plan_apply(
    *,
    programme: Programme,
    plan: Plan,
    by=None,
    skip: Iterable[str] = (),
    delete_kpi_values: bool = False,
) -> BulkResult:
    """Apply a plan without errors in one transaction, with history for each changed measure.

    `skip`: measures left as they are (conflicts the admin did not apply anyway).
    KPI values the file leaves out are only deleted with `delete_kpi_values`.
    """
    if plan.errors:
        raise ValueError("A plan with errors cannot be applied.")
    operations = plan.operations(skip=set(skip), delete_kpi_values=delete_kpi_values)
    return measures_apply_bulk(
        programme=programme,
        creates=operations["creates"],
        updates=operations["updates"],
        goals=operations["goals"],
        kpis=operations["kpis"],
        kpi_values=operations["values"],
        by=by,
        source=ChangeRecord.Source.IMPORT,
        ratings_derived=True,  # the plan derived them (`_plan_measures`)
    )


def changed_since_preview(
    *, programme: Programme, preview: dict, plan: Plan, skipped: Iterable[str] = ()
) -> list[RowError]:
    """Why a plan built now differs from the one the admin saw: each measure the import
    touches that moved since, with what changed and by whom. Measures the admin chose to
    skip do not count."""
    seen = preview.get("based_on", {})
    created = {
        entry["number"] for entry in preview.get("measures", []) if entry["action"] == "create"
    }
    numbers = set(preview.get("touched", [])) | plan.touched_numbers() | created
    numbers -= set(skipped)
    moved = sorted(
        (
            number
            for number in numbers
            if number in plan.based_on and plan.based_on[number] != seen.get(number)
        ),
        key=number_key,
    )
    before, now = preview.get("fingerprints", {}), plan.fingerprints()
    differing = {number for number in {*before, *now} if before.get(number) != now.get(number)}
    if not moved and not differing - set(skipped):
        return []
    errors = [
        RowError(
            _(
                "Die Daten wurden seit der Vorschau geändert. Bitte die Datei erneut "
                "hochladen und die neue Vorschau prüfen."
            )
        )
    ]
    measures = Measure.objects.filter(programme=programme, number__in=moved)
    for measure in measures.in_number_order():
        since = seen.get(measure.number, 0)
        records = (
            measure.changes.filter(measure_version__gt=since)
            .defer("state")
            .select_related("changed_by")
        )
        summaries = [change_summary(record) for record in records.order_by("measure_version")]
        if since == 0:
            text = _("Maßnahme %(number)s wurde seit der Vorschau angelegt.")
        else:
            text = _("Maßnahme %(number)s wurde seit der Vorschau geändert: %(changes)s.")
        errors.append(
            RowError(
                text
                % {
                    "number": measure.number,
                    "changes": "; ".join(change_text(summary) for summary in summaries),
                }
            )
        )
    return errors


def change_text(summary: dict) -> str:
    return _("Version %(version)s am %(at)s von %(by)s (%(fields)s)") % {
        **summary,
        "fields": ", ".join(summary["fields"]),
    }


def _author(by):
    return by if getattr(by, "is_authenticated", False) else None


def _refuse(run: ImportRun, errors: list[RowError]) -> ImportRun:
    run.state = ImportRun.State.REJECTED
    run.errors = [error.as_dict() for error in errors_listed(errors)]
    run.progress = 100
    run.finished_at = timezone.now()
    run.save()
    return run


def _progress(run: ImportRun, percent: int) -> None:
    run.progress = percent
    ImportRun.objects.filter(pk=run.pk).update(progress=percent)


@dataclass
class ImportOutcome:
    run: ImportRun
    plan: Plan | None
    timings: Timings

    @property
    def errors(self) -> list[dict]:
        return self.run.errors


def programme_import(
    *,
    programme: Programme,
    file_name: str,
    data: bytes,
    by=None,
    dry_run: bool = False,
    overwrite_newer: bool = False,
    delete_kpi_values: bool = False,
) -> ImportOutcome:
    """The whole import in one call (command line, bench): validate, plan, apply unless dry.

    Measures changed since the file's version are skipped unless `overwrite_newer`; KPI
    values the file leaves out stay unless `delete_kpi_values`. Logged as an ImportRun in the
    state "applied", "preview" (dry run) or "rejected".
    """
    timings = Timings()
    run = ImportRun.objects.create(
        programme=programme,
        file_name=file_name,
        dry_run=dry_run,
        created_by=_author(by),
        language=reader_language(),
    )
    try:
        rows = import_rows(programme=programme, file_name=file_name, data=data, timings=timings)
    except FileRefused as refused:
        return ImportOutcome(_refuse(run, refused.errors), None, timings)
    with transaction.atomic():
        if not dry_run:
            measures_lock(programme=programme)
        started = time.perf_counter()
        plan = build_plan(programme=programme, rows=rows)
        started = timings.measure("plan", started)
        if plan.errors:
            return ImportOutcome(_refuse(run, plan.errors), plan, timings)
        run.plan, run.counts = plan.preview(), plan.counts
        if dry_run:
            run.state, run.progress, run.finished_at = ImportRun.State.PREVIEW, 100, timezone.now()
            run.save()
            return ImportOutcome(run, plan, timings)
        skip = set() if overwrite_newer else set(plan.conflicts)
        plan_apply(
            programme=programme, plan=plan, by=by, skip=skip, delete_kpi_values=delete_kpi_values
        )
        _applied(run, plan, skip=skip, delete_kpi_values=delete_kpi_values)
    timings.measure("apply", started)
    return ImportOutcome(run, plan, timings)


def _applied(run: ImportRun, plan: Plan, *, skip: set[str], delete_kpi_values: bool) -> None:
    run.counts = plan.applied_counts(skip=skip, delete_kpi_values=delete_kpi_values)
    run.plan = {**(run.plan or {}), "skipped": sorted(skip, key=number_key)}
    run.state, run.progress, run.finished_at = ImportRun.State.APPLIED, 100, timezone.now()
    run.save()


# --- The browser flow: upload → preview → confirm, large files on a worker ------------------
#
# Each step (checking the file, applying it) is a job (see masterplan/jobs.py): small files
# run in the request, large ones on a worker. `import_run_process` claims the step, so a
# second message or a re-queued job never runs it twice at once, and ends the run with a
# German message whatever goes wrong; `import_runs_watch` (beat) re-sends, re-queues or fails
# steps past their deadline.


def reader_language() -> str:
    """The language the person starting a step reads (the request's), kept on the run."""
    return translation.get_language() or settings.LANGUAGE_CODE


def import_run_start(*, programme: Programme, file_name: str, upload, by) -> ImportRun:
    """Store an uploaded file and check it (at once when small, else on a worker)."""
    if upload.size > import_max_bytes():
        raise FileRefused([too_large_error(upload.size)])
    run = ImportRun(
        programme=programme,
        file_name=file_name[:255],
        created_by=_author(by),
        language=reader_language(),
    )
    run.file.save(file_name, upload, save=False)
    run.save()
    return _hand_on(run, prepare=lambda run: None)


def _hand_on(run: ImportRun, *, prepare: Callable[[ImportRun], None]) -> ImportRun:
    """Lock the run, let `prepare` set its next waiting step and save it in the reader's
    language; then process that step at once when the file is small, else send it to a
    worker when the transaction commits."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        prepare(run)
        run.language = reader_language()
        run.save()
        inline = run.file.size <= import_inline_max_bytes()
        if not inline:
            _enqueue(run)
    if inline:
        return import_run_process(run_id=run.pk, state=run.state)
    return run


def _enqueue(run: ImportRun) -> None:
    """Send the run's current step to a worker on commit; `run.sent_at` tells if it went."""
    from .tasks import apply_import_task, validate_import_task

    def mark_sent(when):
        ImportRun.objects.filter(pk=run.pk).update(sent_at=when)
        run.sent_at = when

    if run.state == ImportRun.State.VALIDATING:
        jobs.job_send_on_commit(validate_import_task, run.pk, mark_sent=mark_sent)
    else:
        jobs.job_send_on_commit(apply_import_task, run.pk, mark_sent=mark_sent)


def _claim(run_id: int, state: str) -> ImportRun | None:
    """The run, marked started, if its step `state` is waiting; None if there is nothing to do
    (another process is at it, it is done, or it was given up after too many attempts)."""
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state != state:
            return None
        if jobs.is_running_elsewhere(run.started_at, now=now):
            return None
        if run.attempts >= jobs.max_attempts():
            _fail(run, _gave_up_error(run))
            return None
        run.attempts += 1
        run.started_at = now
        run.save(update_fields=["attempts", "started_at"])
    return run


def _gave_up_error(run: ImportRun) -> str:
    return _(
        "Der Import wurde %(attempts)d-mal unterbrochen (Zeitlimit überschritten oder "
        "Arbeitsprozess beendet) und aufgegeben. Nichts wurde geändert. Sie können ihn "
        "verwerfen oder erneut prüfen lassen."
    ) % {"attempts": run.attempts}


def import_run_process(*, run_id: int, state: str) -> ImportRun | None:
    """Run the step `state` of an import (check or apply), for a worker or the request.

    Never raises for what a file or the machine can do: a file that cannot be read is
    refused, anything else (even MemoryError, which Celery treats as fatal for the whole
    worker) fails the run with a message. An apply runs in one transaction, so a failed or
    killed one changed nothing. Preview and messages are written in the run's language.
    """
    language = ImportRun.objects.filter(pk=run_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        return _process(run_id, state)


def _process(run_id: int, state: str) -> ImportRun | None:
    run = _claim(run_id, state)
    if run is None:
        return ImportRun.objects.filter(pk=run_id).first()
    failure = None
    try:
        if state == ImportRun.State.VALIDATING:
            return import_run_validate(run=run)
        return import_plan_apply(run=run, by=run.confirmed_by)
    except MemoryError:
        failure = _(
            "Für diese Datei reichte der Arbeitsspeicher nicht aus. Nichts wurde geändert. "
            "Bitte die Datei verkleinern, zum Beispiel auf mehrere Dateien aufteilen."
        )
    except SoftTimeLimitExceeded:
        failure = _(
            "Der Import hat sein Zeitlimit überschritten und wurde abgebrochen. Nichts wurde "
            "geändert. Bitte die Datei verkleinern, zum Beispiel auf mehrere Dateien aufteilen."
        )
    except Exception as error:
        logger.exception("Import %s failed while %s", run_id, state)
        failure = (
            _("Die Prüfung ist unerwartet abgebrochen (%(error)s). Nichts wurde geändert.")
            if state == ImportRun.State.VALIDATING
            else _("Die Übernahme ist unerwartet abgebrochen (%(error)s). Nichts wurde geändert.")
        ) % {"error": type(error).__name__}
    # Here, outside the except block, the frames holding the file's data are gone.
    run = None
    gc.collect()
    ImportRun.objects.filter(pk=run_id, state=state).update(
        state=ImportRun.State.FAILED,
        errors=[RowError(failure).as_dict()],
        progress=100,
        finished_at=timezone.now(),
    )
    return ImportRun.objects.filter(pk=run_id).first()


def _read_file(run: ImportRun) -> bytes:
    with run.file.open("rb") as handle:
        return handle.read()


def import_run_validate(*, run: ImportRun) -> ImportRun:
    """Check a stored file and keep the preview (or all errors) on the run."""
    _progress(run, 10)
    try:
        plan = import_plan(programme=run.programme, file_name=run.file_name, data=_read_file(run))
    except FileRefused as refused:
        return _refuse(run, refused.errors)
    if plan.errors:
        return _refuse(run, plan.errors)
    run.plan, run.counts = plan.preview(), plan.counts
    run.plan["touched"] = sorted(plan.touched_numbers(), key=number_key)
    run.state, run.progress = ImportRun.State.PREVIEW, 100
    run.save()
    return run


def import_run_confirm(
    *,
    run: ImportRun,
    by,
    apply_anyway: Iterable[str] = (),
    delete_kpi_values: bool = False,
) -> ImportRun:
    """The admin confirmed the preview: apply now when small, else on a worker.

    `apply_anyway`: measures changed since the file was made that the admin chose to
    overwrite (the others are skipped); `delete_kpi_values`: consent to delete the KPI values
    the file leaves out. Both are kept on the run for the worker.
    """

    def prepare(run: ImportRun) -> None:
        if run.state != ImportRun.State.PREVIEW:
            raise ValueError(f"Import {run.pk} is {run.state}, not waiting for confirmation.")
        plan = run.plan or {}
        conflicts = set(plan.get("conflicts", []))
        run.plan = {
            **plan,
            "decisions": {
                "apply_anyway": sorted(set(apply_anyway) & conflicts, key=number_key),
                "delete_kpi_values": bool(delete_kpi_values),
            },
        }
        _queue_step(run, ImportRun.State.APPLYING)
        run.confirmed_by = _author(by)

    return _hand_on(run, prepare=prepare)


def _queue_step(run: ImportRun, state: str) -> None:
    run.state, run.progress = state, 0
    run.queued_at, run.sent_at, run.started_at, run.attempts = timezone.now(), None, None, 0


def import_run_retry(*, run: ImportRun) -> ImportRun:
    """Check a failed import's file again (a fresh preview to confirm or discard).

    A failed check or apply changed nothing, as an apply runs in one transaction.
    """

    def prepare(run: ImportRun) -> None:
        if run.state != ImportRun.State.FAILED or not run.file:
            raise ValueError(f"Import {run.pk} is {run.state} and cannot be retried.")
        _queue_step(run, ImportRun.State.VALIDATING)
        run.errors, run.plan, run.counts, run.finished_at = [], None, {}, None

    return _hand_on(run, prepare=prepare)


def import_runs_watch(*, now=None) -> dict[str, int]:
    """Celery beat's deadline check of import steps (see `masterplan.jobs`).

    - waiting, but no message reached a worker (broker was down, message lost): sent again;
    - waiting longer than JOB_QUEUE_DEADLINE: failed, as no worker took it;
    - started longer than JOB_RUN_DEADLINE ago (its worker or web process died; the
      transaction of an apply rolled back): queued and sent again, or failed once
      JOB_MAX_ATTEMPTS were started. A failed run can be discarded or checked again.
    """
    now = now or timezone.now()
    return jobs.jobs_watch(
        kind="Import",
        job_ids=ImportRun.objects.filter(state__in=RUNNING).values_list("pk", flat=True),
        lock=lambda pk: (
            ImportRun.objects.select_for_update().filter(pk=pk, state__in=RUNNING).first()
        ),
        watch_one=_watch_one,
        now=now,
    )


def _watch_one(run: ImportRun, *, now) -> str | None:
    if run.started_at is not None:
        if jobs.is_running_elsewhere(run.started_at, now=now):
            return None
        if run.attempts >= jobs.max_attempts():
            _fail(run, _gave_up_error(run))
            return "failed"
        run.queued_at, run.sent_at, run.started_at = now, None, None
        run.save(update_fields=["queued_at", "sent_at", "started_at"])
        _enqueue(run)
        return "requeued"
    return jobs.waiting_job_watch(
        run,
        now=now,
        fail=lambda: _fail(
            run,
            _(
                "Kein Arbeitsprozess hat den Import übernommen. Nichts wurde geändert. Bitte "
                "erneut versuchen oder die Administration verständigen."
            ),
        ),
        send=lambda: _enqueue(run),
    )


def _fail(run: ImportRun, error: str) -> None:
    run.state = ImportRun.State.FAILED
    run.errors = [RowError(error).as_dict()]
    run.progress = 100
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "errors", "progress", "finished_at"])


def import_plan_apply(*, run: ImportRun, by=None) -> ImportRun:
    """Apply the file if the preview still holds; else refuse, saying what changed since.

    The file is read outside, the plan built and checked under the lock of the programme's
    measures, so nothing can change between the check and the writes.
    """
    _progress(run, 10)
    try:
        rows = import_rows(programme=run.programme, file_name=run.file_name, data=_read_file(run))
    except FileRefused as refused:
        return _refuse(run, refused.errors)
    preview = run.plan or {}
    decisions = preview.get("decisions", {})
    apply_anyway = set(decisions.get("apply_anyway", []))
    skipped_at_preview = set(preview.get("conflicts", [])) - apply_anyway
    _progress(run, 50)
    with transaction.atomic():
        measures_lock(programme=run.programme)
        plan = build_plan(programme=run.programme, rows=rows)
        problems = plan.errors or changed_since_preview(
            programme=run.programme, preview=preview, plan=plan, skipped=skipped_at_preview
        )
        if not problems:
            skip = set(plan.conflicts) - apply_anyway
            delete_kpi_values = bool(decisions.get("delete_kpi_values"))
            plan_apply(
                programme=run.programme,
                plan=plan,
                by=by,
                skip=skip,
                delete_kpi_values=delete_kpi_values,
            )
            _applied(run, plan, skip=skip, delete_kpi_values=delete_kpi_values)
            return run
    return _refuse(run, problems)


DISCARDABLE = (ImportRun.State.PREVIEW, ImportRun.State.VALIDATING, ImportRun.State.FAILED)


def import_run_discard(*, run: ImportRun) -> ImportRun:
    if run.state not in DISCARDABLE:
        raise ValueError(f"Import {run.pk} is {run.state} and cannot be discarded.")
    run.state, run.finished_at = ImportRun.State.CANCELLED, timezone.now()
    run.save(update_fields=["state", "finished_at"])
    return run


# --- Export ---------------------------------------------------------------------------------


def programme_export(
    *, programme: Programme, file_format: str = "xlsx", kind: str | None = None
) -> bytes:
    """The programme as a workbook, XLSX or ODS (all kinds, or one), or one kind as CSV."""
    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown format {file_format!r}; use one of {EXPORT_FORMATS}.")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"Unknown kind {kind!r}; use one of {KINDS}.")
    if file_format == "csv":
        return export.write_csv(export.export_dataset(programme=programme, kind=kind or MEASURES))
    kinds = [kind] if kind else list(KINDS)
    datasets = {item: export.export_dataset(programme=programme, kind=item) for item in kinds}
    if file_format == "ods":
        return export.write_ods(datasets=datasets)
    return export.write_workbook(datasets=datasets, programme=programme)


def programme_template(*, programme: Programme, file_format: str = "xlsx") -> bytes:
    if file_format not in ("xlsx", "ods"):
        raise ValueError(f"Unknown format {file_format!r}; use xlsx or ods.")
    return export.template_workbook(programme=programme, file_format=file_format)
