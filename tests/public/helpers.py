from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import ReportState, StatusReport

PDF = b"%PDF-1.7\n% a stand-in for a built report\n%%EOF\n"


def done_report(programme, *, ds_number="17002-26", include_internal=False, published=False):
    """A finished report with a file, without building one (the build has its own tests)."""
    report = StatusReport.objects.create(
        programme=programme,
        title="Sachstandsbericht",
        ds_number=ds_number,
        report_date=date(2026, 9, 30),
        include_internal=include_internal,
        state=ReportState.DONE,
        finished_at=timezone.now(),
        page_count=3,
    )
    report.file.save(f"test-{report.pk}.pdf", ContentFile(PDF), save=True)
    if published:
        StatusReport.objects.filter(pk=report.pk).update(published_at=timezone.now())
        report.refresh_from_db()
    return report
