"""`manage.py build_report`: the same pipeline, from the command line."""

import pytest
from django.core.management import CommandError, call_command

from reports.models import ReportState, StatusReport

from .conftest import PdfText, normalized


def test_build_report_writes_a_valid_pdf_and_records_the_report(programme, media_root, tmp_path):
    output = tmp_path / "bericht.pdf"
    call_command(
        "build_report",
        "--output", str(output),
        "--ds-number", "15160-19",
        "--groups", "II,iii",
        "--date", "2020-03-01",
    )  # fmt: skip
    pdf = PdfText(output.read_bytes())
    text = normalized(" ".join(pdf.pages))
    assert text.startswith("Anhang zum Sachstandsbericht – DS-Nr. 15160-19")
    assert "2.1 Wissensmanagement 4.0" in text and "3.5 Elektronische Zeiterfassung" in text
    assert "1.1 Bring Your Own Device" not in text
    report = StatusReport.objects.get()
    assert report.state == ReportState.DONE
    assert report.working_group_numbers == [2, 3]
    assert report.report_date.isoformat() == "2020-03-01"
    assert len(pdf.pages) == report.page_count
    assert output.read_bytes() == report.file.read()


def test_build_report_pdfa_option_makes_an_archival_pdf(programme, media_root, tmp_path):
    output = tmp_path / "archiv.pdf"
    call_command(
        "build_report", "--output", str(output), "--ds-number", "1", "--groups", "4", "--pdfa"
    )
    assert 'pdfaid:part="3"' in PdfText(output.read_bytes()).reader.xmp_metadata.rdf_root.toxml()


def test_build_report_names_an_unknown_group_and_changes_nothing(programme, tmp_path):
    output = tmp_path / "bericht.pdf"
    with pytest.raises(CommandError, match="„V“"):
        call_command("build_report", "--output", str(output), "--ds-number", "1", "--groups", "I,V")
    assert not output.exists()
    assert not StatusReport.objects.exists()


def test_build_report_without_ds_number_or_earlier_report_builds_a_draft(
    programme, media_root, tmp_path
):
    output = tmp_path / "entwurf.pdf"
    call_command("build_report", "--output", str(output), "--groups", "III")
    report = StatusReport.objects.get()
    assert report.state == ReportState.DONE and report.is_draft
    assert report.created_by is None
    text = normalized(" ".join(PdfText(output.read_bytes()).pages))
    assert text.startswith("Anhang zum Sachstandsbericht – Entwurf")
    assert "DS-Nr." not in text.split("Inhalt")[0]


def test_build_report_takes_the_ds_number_of_the_last_report(programme, media_root, tmp_path):
    call_command(
        "build_report", "--output", str(tmp_path / "a.pdf"), "--ds-number", "7-21", "--groups", "II"
    )
    call_command("build_report", "--output", str(tmp_path / "b.pdf"), "--groups", "II")
    assert StatusReport.objects.first().ds_number == "7-21"


def test_build_report_refuses_a_malformed_date(programme, tmp_path):
    with pytest.raises(CommandError, match="--date"):
        call_command(
            "build_report",
            "--output",
            str(tmp_path / "a.pdf"),
            "--ds-number",
            "1",
            "--date",
            "31.02.",
        )
    assert not StatusReport.objects.exists()
