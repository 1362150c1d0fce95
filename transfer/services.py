"""Spreadsheet import and export of a programme: one code path for browser, admin and commands.

Import: file → rows (`workbook`) → validated rows with every error → a plan (`plan`) shown
as the preview → applied in one transaction through `measures_apply_bulk`, so each changed
measure gets its ChangeRecord (source "import") and a new version. Any error refuses the
whole file and nothing changes. Every import is logged as an ImportRun.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.services import kpi_values_replace_bulk, kpis_replace_bulk
from masterplan.models import Programme
from masterplan.numbers import format_decimal
from measures.models import ChangeRecord
from measures.services import BulkResult, measures_apply_bulk

from . import export
from .models import ImportRun
from .plan import Plan, build_plan
from .workbook import (
    KINDS,
    MEASURES,
    FileRefused,
    RowError,
    errors_listed,
    read_rows,
    read_sheets,
)

EXPORT_FORMATS = ("xlsx", "csv")


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


@dataclass
class Timings:
    phases: dict[str, float] = field(default_factory=dict)

    def measure(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.phases[name] = now - started
        return now


def import_plan(
    *, programme: Programme, file_name: str, data: bytes, timings: Timings | None = None
) -> Plan:
    """Read, validate and plan a file. Raises FileRefused for files that cannot be read."""
    timings = timings or Timings()
    if len(data) > import_max_bytes():
        raise FileRefused([too_large_error(len(data))])
    started = time.perf_counter()
    _format, sheets = read_sheets(name=file_name, data=data)
    started = timings.measure("read", started)
    rows = read_rows(sheets=sheets, groups=list(programme.working_groups.order_by("number")))
    started = timings.measure("validate", started)
    plan = build_plan(programme=programme, rows=rows)
    timings.measure("plan", started)
    return plan


def plan_apply(*, programme: Programme, plan: Plan, by=None) -> BulkResult:
    """Apply a plan without errors in one transaction, with history for each changed measure."""
    if plan.errors:
        raise ValueError("A plan with errors cannot be applied.")

    def save_kpis(measures_by_number):
        kpis_replace_bulk(
            kpis_by_measure={
                measures_by_number[number].pk: items for number, items in plan.kpis.items()
            }
        )
        kpi_values_replace_bulk(
            values_by_measure={
                measures_by_number[number].pk: items for number, items in plan.values.items()
            },
            by=by,
        )
        return {}

    return measures_apply_bulk(
        programme=programme,
        creates=plan.creates,
        updates=plan.updates,
        goals=plan.goals,
        extra=save_kpis,
        touched=set(plan.kpis) | set(plan.values),
        by=by,
        source=ChangeRecord.Source.IMPORT,
    )


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
    *, programme: Programme, file_name: str, data: bytes, by=None, dry_run: bool = False
) -> ImportOutcome:
    """The whole import in one call (command line, bench): validate, plan, apply unless dry.

    Logged as an ImportRun in the state "applied", "preview" (dry run) or "rejected".
    """
    timings = Timings()
    run = ImportRun.objects.create(
        programme=programme, file_name=file_name, dry_run=dry_run, created_by=_author(by)
    )
    try:
        plan = import_plan(programme=programme, file_name=file_name, data=data, timings=timings)
    except FileRefused as refused:
        return ImportOutcome(_refuse(run, refused.errors), None, timings)
    if plan.errors:
        return ImportOutcome(_refuse(run, plan.errors), plan, timings)
    run.plan, run.counts = plan.preview(), plan.counts
    if dry_run:
        run.state, run.progress, run.finished_at = ImportRun.State.PREVIEW, 100, timezone.now()
        run.save()
        return ImportOutcome(run, plan, timings)
    started = time.perf_counter()
    with transaction.atomic():
        plan_apply(programme=programme, plan=plan, by=by)
        run.state, run.progress, run.finished_at = ImportRun.State.APPLIED, 100, timezone.now()
        run.save()
    timings.measure("apply", started)
    return ImportOutcome(run, plan, timings)


# --- The browser flow: upload → preview → confirm, large files on a worker ------------------


def import_run_start(*, programme: Programme, file_name: str, upload, by) -> ImportRun:
    """Store an uploaded file and check it (at once when small, else on a worker)."""
    if upload.size > import_max_bytes():
        raise FileRefused([too_large_error(upload.size)])
    run = ImportRun(programme=programme, file_name=file_name[:255], created_by=_author(by))
    run.file.save(file_name, upload, save=False)
    run.save()
    if upload.size <= import_inline_max_bytes():
        import_run_validate(run=run)
    else:
        from .tasks import validate_import_task

        transaction.on_commit(lambda: validate_import_task.delay(run.pk))
    return run


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
    run.state, run.progress = ImportRun.State.PREVIEW, 100
    run.save()
    return run


def import_run_confirm(*, run: ImportRun, by) -> ImportRun:
    """The admin confirmed the preview: apply now when small, else on a worker."""
    if run.state != ImportRun.State.PREVIEW:
        raise ValueError(f"Import {run.pk} is {run.state}, not waiting for confirmation.")
    run.state, run.progress = ImportRun.State.APPLYING, 0
    run.save(update_fields=["state", "progress"])
    if run.file.size <= import_inline_max_bytes():
        return import_plan_apply(run=run, by=by)
    from .tasks import apply_import_task

    user_id = getattr(by, "pk", None)
    transaction.on_commit(lambda: apply_import_task.delay(run.pk, user_id))
    return run


def import_plan_apply(*, run: ImportRun, by=None) -> ImportRun:
    """Re-check the file against the current data and apply it if the preview still holds."""
    _progress(run, 10)
    try:
        plan = import_plan(programme=run.programme, file_name=run.file_name, data=_read_file(run))
    except FileRefused as refused:
        return _refuse(run, refused.errors)
    if plan.errors:
        return _refuse(run, plan.errors)
    if run.plan and plan.fingerprint() != run.plan.get("fingerprint"):
        return _refuse(
            run,
            [
                RowError(
                    _(
                        "Die Daten wurden seit der Vorschau geändert. Bitte die Datei erneut "
                        "hochladen und die neue Vorschau prüfen."
                    )
                )
            ],
        )
    _progress(run, 50)
    with transaction.atomic():
        plan_apply(programme=run.programme, plan=plan, by=by)
        run.counts = plan.counts
        run.state, run.progress, run.finished_at = ImportRun.State.APPLIED, 100, timezone.now()
        run.save()
    return run


def import_run_fail(*, run_id: int, error: str) -> None:
    ImportRun.objects.filter(pk=run_id).update(
        state=ImportRun.State.FAILED,
        errors=[RowError(error).as_dict()],
        finished_at=timezone.now(),
    )


def import_run_discard(*, run: ImportRun) -> ImportRun:
    if run.state not in (ImportRun.State.PREVIEW, ImportRun.State.VALIDATING):
        raise ValueError(f"Import {run.pk} is {run.state} and cannot be discarded.")
    run.state, run.finished_at = ImportRun.State.CANCELLED, timezone.now()
    run.save(update_fields=["state", "finished_at"])
    return run


# --- Export ---------------------------------------------------------------------------------


def programme_export(
    *, programme: Programme, file_format: str = "xlsx", kind: str | None = None
) -> bytes:
    """The programme as a workbook (all kinds, or one) or one kind as CSV."""
    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown format {file_format!r}; use one of {EXPORT_FORMATS}.")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"Unknown kind {kind!r}; use one of {KINDS}.")
    if file_format == "csv":
        return export.write_csv(export.export_dataset(programme=programme, kind=kind or MEASURES))
    kinds = [kind] if kind else list(KINDS)
    datasets = {item: export.export_dataset(programme=programme, kind=item) for item in kinds}
    return export.write_workbook(datasets=datasets, programme=programme)


def programme_template(*, programme: Programme) -> bytes:
    return export.template_workbook(programme=programme)
