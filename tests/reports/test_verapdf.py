"""veraPDF, the reference validator, passes the seed report: PDF/UA-1 by default, PDF/A-3b for
the archival variant. A failure prints veraPDF's failed rule ids."""

import pytest

from reports.pdf import render_report_pdf
from reports.rendering import render_report_html
from reports.verapdf import VeraPdfMissing, classpath, java, validate

from .test_round_report import (  # noqa: F401 - fixtures used through request
    _close_and_build,
    filled_round,
    lead_group_1,
)

pytestmark = [pytest.mark.verapdf, pytest.mark.django_db]


@pytest.fixture(scope="module", autouse=True)
def verapdf_installed():
    try:
        java()
        classpath()
    except VeraPdfMissing as missing:
        pytest.skip(f"veraPDF cannot run here: {missing} (.ci/run installs it)")


def _failures(verdict) -> str:
    return "\n".join(
        f"{rule.rule} ({rule.count}x): {rule.message}" for rule in verdict.failed_rules
    )


def test_the_default_seed_report_is_pdf_ua_1(seed_report, tmp_path):
    pdf = tmp_path / "bericht.pdf"
    pdf.write_bytes(seed_report.pdf.content)

    verdict = validate(pdf, flavour="pdf/ua-1")

    assert verdict.compliant, "veraPDF, PDF/UA-1:\n" + _failures(verdict)


def test_the_archival_seed_report_is_pdf_a_3b(seed_report, tmp_path):
    pdf = tmp_path / "bericht-archiv.pdf"
    pdf.write_bytes(render_report_pdf(seed_report.html, pdf_variant="pdf/a-3b").content)

    verdict = validate(pdf, flavour="pdf/a-3b")

    assert verdict.compliant, "veraPDF, PDF/A-3b:\n" + _failures(verdict)


def test_a_report_with_kpi_charts_is_pdf_ua_1(tmp_path):
    """The seed has no KPI with two values: the charts' figures are checked here."""
    from .test_kpi_charts import SNAPSHOT

    html = render_report_html(SNAPSHOT)
    assert 'alt="Verlauf Alpha:' in html
    pdf = tmp_path / "kennzahlen.pdf"
    pdf.write_bytes(render_report_pdf(html).content)

    verdict = validate(pdf, flavour="pdf/ua-1")

    assert verdict.compliant, "veraPDF, PDF/UA-1:\n" + _failures(verdict)


def test_a_round_report_is_pdf_ua_1(
    programme, admin_user, editor_group_1, media_root, tmp_path, request
):
    """A closed round's report: Ampel icons per measure and the summary's chart and table."""
    round_ = request.getfixturevalue("filled_round")
    report = _close_and_build(round_, admin_user, include_unapproved=True)
    pdf = tmp_path / "runde.pdf"
    with report.file.open("rb") as stream:
        pdf.write_bytes(stream.read())

    verdict = validate(pdf, flavour="pdf/ua-1")

    assert verdict.compliant, "veraPDF, PDF/UA-1:\n" + _failures(verdict)
