"""An import never silently overwrites what was saved after its file was exported or previewed.

Run on PostgreSQL for the real row locks (`DATABASE_URL=postgres://…`); the tests that race
two transactions in threads are skipped on SQLite, which has no row locks.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from kpis.models import KPIValue
from kpis.services import kpi_value_record
from measures.models import ChangeRecord, Measure
from measures.services import MeasureConflict, measure_update
from transfer.models import ImportRun
from transfer.services import import_run_confirm, import_run_start, programme_export

from .sheets import edit, set_cell, upload

pytestmark = pytest.mark.django_db(transaction=True)


def save(measure_number: str, *, by, data=None, progress_note=None, version=None) -> Measure:
    """An editor's save through the edit form's service."""
    measure = Measure.objects.get(number=measure_number)
    goals = None
    if progress_note is not None:
        goals = [
            {
                "id": goal.pk,
                "category": goal.category,
                "order": goal.order,
                "text": goal.text,
                "target": goal.target,
                "target_date": goal.target_date,
                "target_open_ended": goal.target_open_ended,
                "status": goal.status,
                "progress_note": progress_note if position == 0 else goal.progress_note,
            }
            for position, goal in enumerate(measure.goals.order_by("order", "id"))
        ]
    return measure_update(
        measure=measure,
        data=data or {},
        goals=goals,
        expected_version=measure.version if version is None else version,
        by=by,
    )


def preview(programme, admin, data: bytes) -> ImportRun:
    run = import_run_start(
        programme=programme, file_name="programm.xlsx", upload=upload(data), by=admin
    )
    assert run.state == ImportRun.State.PREVIEW, run.errors
    return run


def confirm(run: ImportRun, admin, **choices) -> ImportRun:
    run = import_run_confirm(run=ImportRun.objects.get(pk=run.pk), by=admin, **choices)
    run.refresh_from_db()
    return run


def import_records(number: str):
    return ChangeRecord.objects.filter(measure__number=number, source=ChangeRecord.Source.IMPORT)


def first_goal_note(number: str) -> str:
    return Measure.objects.get(number=number).goals.order_by("order", "id").first().progress_note


@pytest.fixture
def editors_changed_since_export(programme, admin_user, editor_group_1, media_root):
    """The admin exported; then an editor changed a progress note of 1.1, another entered a
    KPI value for 1.2 and set 1.3 to "abgeschlossen"."""
    exported = programme_export(programme=programme)
    save("1.1", by=editor_group_1, progress_note="Pilot läuft seit Oktober")
    kpi = Measure.objects.get(number="1.2").kpis.first()
    kpi_value_record(kpi=kpi, date=date(2026, 9, 30), value=Decimal("12500"), by=editor_group_1)
    save("1.3", by=editor_group_1, data={"status": "abgeschlossen"})
    return exported


def test_a_stale_export_lists_what_changed_since_and_keeps_it(
    programme, admin_user, editor_group_1, editors_changed_since_export
):
    run = preview(programme, admin_user, editors_changed_since_export)

    assert run.plan["conflicts"] == ["1.1", "1.2", "1.3"]
    conflict = next(entry for entry in run.plan["measures"] if entry["number"] == "1.3")
    assert conflict["conflict"]["file_version"] == 1
    assert conflict["conflict"]["version"] == 2
    [change] = conflict["conflict"]["changes"]
    assert (change["by"], change["fields"]) == ("erika", ["Status"])

    run = confirm(run, admin_user)

    assert run.state == ImportRun.State.APPLIED
    assert run.plan["skipped"] == ["1.1", "1.2", "1.3"]
    assert first_goal_note("1.1") == "Pilot läuft seit Oktober"
    assert KPIValue.objects.filter(kpi__measure__number="1.2", value=12500).exists()
    assert Measure.objects.get(number="1.3").status == "abgeschlossen"
    assert not ChangeRecord.objects.filter(source=ChangeRecord.Source.IMPORT).exists()


def test_the_admin_may_apply_a_stale_row_anyway_measure_by_measure(
    programme, admin_user, editors_changed_since_export
):
    run = preview(programme, admin_user, editors_changed_since_export)

    run = confirm(run, admin_user, apply_anyway=["1.3"])

    assert run.state == ImportRun.State.APPLIED
    assert Measure.objects.get(number="1.3").status != "abgeschlossen"
    assert first_goal_note("1.1") == "Pilot läuft seit Oktober"
    assert KPIValue.objects.filter(kpi__measure__number="1.2", value=12500).exists()
    assert list(ChangeRecord.objects.filter(source="import").values_list("measure__number")) == [
        ("1.3",)
    ]


def _renamed(programme, title: str) -> bytes:
    data = programme_export(programme=programme)
    return edit(data, lambda book: set_cell(book, "Maßnahmen", {"Nummer": "1.1"}, "Titel", title))


def test_an_edit_between_preview_and_confirm_makes_the_import_refuse_saying_what_changed(
    programme, admin_user, editor_group_1, media_root
):
    run = preview(programme, admin_user, _renamed(programme, "Titel aus der Datei"))
    assert run.plan["conflicts"] == []
    save("1.1", by=editor_group_1, data={"description": "Neu beschrieben"})

    run = confirm(run, admin_user)

    assert run.state == ImportRun.State.REJECTED
    texts = " ".join(error["text"] for error in run.errors)
    assert "seit der Vorschau geändert" in texts
    assert "Maßnahme 1.1" in texts and "erika" in texts and "Beschreibung" in texts
    measure = Measure.objects.get(number="1.1")
    assert (measure.title, measure.description) == (
        "Bring Your Own Device (BYOD)",
        "Neu beschrieben",
    )
    assert not import_records("1.1").exists()


def test_of_two_imports_previewed_from_one_base_only_the_first_confirmed_applies(
    programme, admin_user, media_root
):
    first = preview(programme, admin_user, _renamed(programme, "Erste Datei"))
    second = preview(programme, admin_user, _renamed(programme, "Zweite Datei"))

    assert confirm(first, admin_user).state == ImportRun.State.APPLIED
    assert confirm(second, admin_user).state == ImportRun.State.REJECTED
    assert Measure.objects.get(number="1.1").title == "Erste Datei"
    assert import_records("1.1").count() == 1


def test_a_second_import_of_the_old_base_after_the_first_lists_it_as_changed(
    programme, admin_user, media_root
):
    second_file = _renamed(programme, "Zweite Datei")
    assert confirm(preview(programme, admin_user, _renamed(programme, "Erste Datei")), admin_user)

    second = preview(programme, admin_user, second_file)

    assert second.plan["conflicts"] == ["1.1"]
    entry = second.plan["measures"][0]
    assert entry["conflict"]["changes"][0]["by"] == "alice"
    assert confirm(second, admin_user).state == ImportRun.State.APPLIED
    assert Measure.objects.get(number="1.1").title == "Erste Datei"


def at_once(*calls):
    """Run the calls in threads released together; each returns its result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL (row locks).")


@pytest.mark.parametrize("attempt", range(3))
def test_two_imports_confirmed_at_once_apply_only_one(programme, admin_user, media_root, attempt):
    needs_row_locks()
    runs = [
        preview(programme, admin_user, _renamed(programme, title))
        for title in ("Erste Datei", "Zweite Datei")
    ]

    results = at_once(*(lambda run=run: confirm(run, admin_user) for run in runs))

    states = sorted(result.state for result in results)
    assert states == [ImportRun.State.APPLIED, ImportRun.State.REJECTED]
    winner = next(result for result in results if result.state == ImportRun.State.APPLIED)
    title = Measure.objects.get(number="1.1").title
    assert title == ("Erste Datei" if winner.pk == runs[0].pk else "Zweite Datei")
    assert import_records("1.1").count() == 1


@pytest.mark.parametrize("attempt", range(3))
def test_an_import_and_an_editor_saving_at_once_never_both_win(
    programme, admin_user, editor_group_1, media_root, attempt
):
    needs_row_locks()
    run = preview(programme, admin_user, _renamed(programme, "Titel aus der Datei"))
    loaded_version = Measure.objects.get(number="1.1").version

    imported, edited = at_once(
        lambda: confirm(run, admin_user),
        lambda: save(
            "1.1", by=editor_group_1, data={"title": "Titel der Redaktion"}, version=loaded_version
        ),
    )

    title = Measure.objects.get(number="1.1").title
    if imported.state == ImportRun.State.APPLIED:
        assert isinstance(edited, MeasureConflict)
        assert title == "Titel aus der Datei"
    else:
        assert imported.state == ImportRun.State.REJECTED
        assert isinstance(edited, Measure), edited
        assert title == "Titel der Redaktion"
    assert Measure.objects.get(number="1.1").version == loaded_version + 1


def test_a_skipped_measure_changed_again_before_confirm_does_not_block_the_rest(
    programme, admin_user, editor_group_1, editors_changed_since_export
):
    data = edit(
        editors_changed_since_export,
        lambda book: set_cell(book, "Maßnahmen", {"Nummer": "2.1"}, "Titel", "Neu aus der Datei"),
    )
    run = preview(programme, admin_user, data)
    save("1.3", by=editor_group_1, data={"title": "Noch einmal geändert"})

    run = confirm(run, admin_user)

    assert run.state == ImportRun.State.APPLIED, run.errors
    assert Measure.objects.get(number="2.1").title == "Neu aus der Datei"
    measure = Measure.objects.get(number="1.3")
    assert (measure.title, measure.status) == ("Noch einmal geändert", "abgeschlossen")
