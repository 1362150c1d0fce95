"""The facts about a published report's PDF that OParl's `File` carries: size, SHA-512 and the
plain text, read once per file and kept (`ReportFileFacts`)."""

import hashlib
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from public.selectors import public_programmes, public_reports
from reports.models import StatusReport

from .models import ReportFileFacts

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024


def pdf_plain_text(file) -> str:
    """The text of every page, pages separated by a blank line; no-break spaces as spaces."""
    file.seek(0)
    reader = PdfReader(file)
    pages = [(page.extract_text() or "").replace("\u00a0", " ").strip() for page in reader.pages]
    return "\n\n".join(page for page in pages if page)


def report_file_facts(report: StatusReport) -> ReportFileFacts | None:
    """Size, checksum and text of the report's PDF; None when the report has no file (or the
    file is gone from the storage). Read on first use and kept for that file."""
    if not report.file:
        return None
    facts = ReportFileFacts.objects.filter(report=report, file_name=report.file.name).first()
    if facts is not None:
        return facts
    try:
        file = report.file.open("rb")
    except FileNotFoundError:
        logger.warning("Report %s: its file %s is missing", report.pk, report.file.name)
        return None
    with file:
        digest = hashlib.sha512()
        size = 0
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        try:
            text = pdf_plain_text(file)
        except (PyPdfError, ValueError, KeyError) as error:
            # A PDF pypdf cannot read still has a size and checksum; OParl's text is optional.
            logger.warning("Report %s: no text from its PDF (%s)", report.pk, error)
            text = ""
    facts, _created = ReportFileFacts.objects.update_or_create(
        report=report,
        defaults={
            "file_name": report.file.name,
            "size": size,
            "sha512": digest.hexdigest(),
            "text": text,
        },
    )
    return facts


def report_files_read() -> int:
    """Read the PDF of every published report not read yet, so that no reader of the OParl
    interface waits for it; the number read. Beat runs it every JOB_WATCH_INTERVAL."""
    read = 0
    for programme in public_programmes():
        for report in public_reports(programme).exclude(
            pk__in=ReportFileFacts.objects.values("report")
        ):
            read += report_file_facts(report) is not None
    return read
