"""An export re-saved by a real office suite (LibreOffice) imports without changes.

LibreOffice stands in for the clerk who opens the export (XLSX or ODS), looks at it and saves
it again: as XLSX, as ODS (OpenDocument, LibreOffice's and openDesk's own format), and as CSV
in Windows-1252 with `;` (what German Excel writes as "CSV (Trennzeichen-getrennt)").
Skipped where `soffice` is not installed (.ci/run installs it).
"""

import shutil
import subprocess

import pytest

from measures.models import Measure
from transfer.services import programme_export, programme_import

from .conftest import database_dump
from .test_roundtrip import assert_all_unchanged

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
# Field separator ";" (59), text in double quotes (34), character set Windows-1252 (1).
CSV_WINDOWS_1252 = "csv:Text - txt - csv (StarCalc):59,34,1"


def resave(tmp_path, name: str, data: bytes, target: str) -> bytes:
    """`data` opened in LibreOffice and saved again as `target` (headless, own profile)."""
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (saved,) = out.iterdir()
    return saved.read_bytes()


@pytest.fixture
def programme_with_a_number_that_looks_like_a_decimal(programme):
    """Measures 1.1 and 1.10 (as numbers in a spreadsheet cell they would be the same), the
    latter titled with what Windows-1252 must carry."""
    assert Measure.objects.filter(number__in=["1.1", "1.10"]).count() == 2
    Measure.objects.filter(number="1.10").update(
        title="Zehnte Maßnahme – „Bürger*innen“ für 1.500 €"
    )
    return programme


@pytest.mark.parametrize(
    ("exported", "saved_as"), [("xlsx", "xlsx"), ("xlsx", "ods"), ("ods", "ods"), ("ods", "xlsx")]
)
def test_an_export_resaved_by_libreoffice_imports_without_changes(
    programme_with_a_number_that_looks_like_a_decimal, admin_user, tmp_path, exported, saved_as
):
    programme = programme_with_a_number_that_looks_like_a_decimal
    before = database_dump()
    export = programme_export(programme=programme, file_format=exported)
    data = resave(tmp_path, f"programm.{exported}", export, saved_as)

    run = programme_import(
        programme=programme,
        file_name=f"programm.{saved_as}",
        data=data,
        by=admin_user,
        dry_run=True,
    ).run

    assert run.errors == []
    assert_all_unchanged(run.counts)
    assert run.counts["measures"]["unchanged"] == Measure.objects.count()
    assert database_dump() == before


@pytest.mark.parametrize("exported", ["xlsx", "ods"])
def test_an_export_resaved_as_windows_1252_csv_by_libreoffice_imports_without_changes(
    programme_with_a_number_that_looks_like_a_decimal, admin_user, tmp_path, exported
):
    programme = programme_with_a_number_that_looks_like_a_decimal
    before = database_dump()
    # "Save as CSV" writes the first sheet of the workbook: the measures.
    export = programme_export(programme=programme, file_format=exported)
    data = resave(tmp_path, f"massnahmen.{exported}", export, CSV_WINDOWS_1252)
    assert "Zehnte Maßnahme – „Bürger*innen“ für 1.500 €".encode("cp1252") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    run = programme_import(
        programme=programme, file_name="massnahmen.csv", data=data, by=admin_user, dry_run=True
    ).run

    assert run.errors == []
    assert_all_unchanged(run.counts)
    assert run.counts["measures"]["unchanged"] == Measure.objects.count()
    assert database_dump() == before
