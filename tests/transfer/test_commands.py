"""manage.py import_programme / export_programme use the same code as the browser."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from measures.models import Measure
from transfer.models import ImportRun

from .conftest import FILES, database_dump


def test_export_then_import_of_the_workbook_reports_everything_unchanged(
    programme, tmp_path, capsys
):
    path = tmp_path / "programm.xlsx"
    call_command("export_programme", str(path))
    assert load_workbook(path).sheetnames == ["Maßnahmen", "Ziele", "Kennzahlen", "Kennzahlwerte"]
    before = database_dump()

    call_command("import_programme", str(path))

    output = capsys.readouterr().out
    assert (
        "Maßnahmen      neu      0  geändert      0  gelöscht      0  unverändert     25" in output
    )
    assert database_dump() == before


def test_export_to_csv_writes_the_measures_or_the_kind_asked_for(programme, tmp_path):
    call_command("export_programme", str(tmp_path / "m.csv"))
    call_command("export_programme", str(tmp_path / "z.csv"), "--kind", "goals")

    assert (tmp_path / "m.csv").read_text("utf-8-sig").startswith("Nummer;")
    assert (tmp_path / "z.csv").read_text("utf-8-sig").startswith("Maßnahme;Kategorie;Ziel")


def test_dry_run_prints_the_plan_and_changes_nothing(programme, capsys):
    before = database_dump()

    call_command("import_programme", str(FILES / "measures-semicolon-bom.csv"), "--dry-run")

    output = capsys.readouterr().out
    assert "1.12 Digitale Signatur (neu)" in output and "Probelauf" in output
    assert database_dump() == before
    assert ImportRun.objects.get().state == ImportRun.State.PREVIEW


def test_import_applies_and_records_the_user(programme, admin_user):
    call_command(
        "import_programme", str(FILES / "measures-semicolon-bom.csv"), "--user", admin_user.username
    )

    assert Measure.objects.get(number="1.12").changes.get().changed_by == admin_user


def test_a_refused_import_exits_non_zero_and_prints_the_row_errors(programme, capsys):
    before = database_dump()

    with pytest.raises(CommandError, match="abgelehnt, 1 Fehler. Nichts wurde geändert."):
        call_command("import_programme", str(FILES / "bad-rating.csv"))

    errors = capsys.readouterr().err
    assert (
        "Zeile 7, Spalte Kosten: 'sehr hoch' ist kein zulässiger Wert (gering, mittel, hoch)"
        in errors
    )
    assert database_dump() == before


def test_the_command_exit_code_is_non_zero_when_refused(programme):
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "import_programme", str(FILES / "empty.csv")])
    with pytest.raises(SystemExit) as exit_info:
        utility.execute()
    assert exit_info.value.code == 1


def test_a_missing_file_is_reported(programme):
    with pytest.raises(CommandError, match="nicht gefunden"):
        call_command("import_programme", "/nonexistent/file.xlsx")


def test_a_stale_file_skips_measures_changed_since_unless_told_to_overwrite(
    programme, tmp_path, capsys, editor_group_1
):
    from measures.services import measure_update

    path = tmp_path / "programm.xlsx"
    call_command("export_programme", str(path))
    measure = Measure.objects.get(number="1.3")
    measure_update(
        measure=measure, data={"title": "Neuer Titel"}, expected_version=1, by=editor_group_1
    )

    call_command("import_programme", str(path))
    assert "Seit dem Export geändert (übersprungen" in capsys.readouterr().out
    assert Measure.objects.get(number="1.3").title == "Neuer Titel"

    call_command("import_programme", str(path), "--overwrite-newer")
    assert Measure.objects.get(number="1.3").title != "Neuer Titel"
