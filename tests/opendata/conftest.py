import io
import re
from datetime import date

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from opendata.files import report_file_facts
from opendata.models import ReportFileFacts
from reports.models import ReportState, StatusReport
from reports.pdf import render_report_pdf
from reports.rendering import render_report_html
from reports.snapshot import report_snapshot
from transfer.seed import programme_load_seed


@pytest.fixture(scope="session")
def seed_pdf(django_db_setup, django_db_blocker) -> bytes:
    """The seed programme's public report as PDF bytes, rendered once; the data rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        programme = programme_load_seed()
        snapshot = report_snapshot(
            programme=programme,
            title="Anhang zum Sachstandsbericht",
            ds_number="15160-19",
            report_date=date(2020, 3, 1),
            include_internal=False,
        )
        transaction.set_rollback(True)
    return render_report_pdf(render_report_html(snapshot)).content


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://sachstand.example.org"
    return settings.SITE_URL


@pytest.fixture
def public_programme(programme):
    programme.is_public = True
    programme.save(update_fields=["is_public"])
    return programme


# What `report_file_facts` read from the seed PDF the first time (pypdf takes seconds for it).
_READ_FACTS: dict = {}


@pytest.fixture
def publish(seed_pdf, media_root):
    """`publish(programme, ds_number=…)`: a done public-version report with the seed PDF,
    published by an admin (`published_at`), as the publishing step leaves it. The PDF is
    read by `report_file_facts` once per test session; later reports get what it read
    (`read=True` reads every time)."""

    def make(
        programme,
        *,
        ds_number="15160-19",
        report_date=date(2020, 3, 1),
        published=True,
        read=False,
    ):
        now = timezone.now()
        report = StatusReport.objects.create(
            programme=programme,
            ds_number=ds_number,
            report_date=report_date,
            include_internal=False,
            state=ReportState.DONE,
            finished_at=now,
            published_at=now if published else None,
        )
        report.file.save(f"bericht-{report.pk}.pdf", ContentFile(seed_pdf))
        if _READ_FACTS and not read:
            ReportFileFacts.objects.create(report=report, file_name=report.file.name, **_READ_FACTS)
        else:
            facts = report_file_facts(report)
            _READ_FACTS.update(size=facts.size, sha512=facts.sha512, text=facts.text)
        return report

    return make


def crawl(client, site_url: str, start: list[str]) -> dict[str, bytes]:
    """Every answer reachable from the start paths by the OParl and open-data URLs in them."""
    seen: dict[str, bytes] = {}
    queue = list(start)
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code in (200, 410), (path, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        seen[path] = content
        if response["Content-Type"].startswith("application/pdf"):
            continue
        text = content.decode("utf-8-sig")
        for url in re.findall(re.escape(site_url) + r"""/(?:oparl|offene-daten)/[^"<>\s]*""", text):
            queue.append(url.removeprefix(site_url).split("#")[0])
    return seen
