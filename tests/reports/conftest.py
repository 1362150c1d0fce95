import io
import re
from dataclasses import dataclass, field
from datetime import date

import pypdf
import pytest
from django.db import transaction

from reports.pdf import render_report_pdf
from reports.rendering import render_report_html
from reports.snapshot import report_snapshot
from transfer.seed import programme_load_seed

SEED_DS_NUMBER = "15160-19"
SEED_REPORT_DATE = date(2020, 3, 1)


def normalized(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def heading_pattern(*parts: str) -> re.Pattern:
    """A heading at the start of a line; its words may wrap onto further lines."""
    words = " ".join(parts).split()
    return re.compile(r"(?m)^" + r"\s+".join(re.escape(word) for word in words) + r"(?=\s|$)")


@dataclass
class PdfText:
    content: bytes
    reader: pypdf.PdfReader = field(init=False)
    pages: list[str] = field(init=False)

    def __post_init__(self):
        self.reader = pypdf.PdfReader(io.BytesIO(self.content))
        self.pages = [page.extract_text().replace("\u00a0", " ") for page in self.reader.pages]

    def page_of(self, pattern: re.Pattern, *, after: int = 0) -> int:
        """1-based number of the first page after `after` on which the pattern stands."""
        for number, text in enumerate(self.pages, start=1):
            if number > after and pattern.search(text):
                return number
        raise AssertionError(f"{pattern.pattern} is on no page after {after}")

    def outline(self) -> list[tuple[int, str, int]]:
        """(level, title, page number) of every bookmark, in order."""
        entries = []

        def walk(items, level):
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    entries.append(
                        (level, item.title, self.reader.get_destination_page_number(item) + 1)
                    )

        walk(self.reader.outline, 1)
        return entries


@dataclass
class RenderedSeed:
    snapshot: dict
    html: str
    pdf: PdfText
    page_count: int


@pytest.fixture(scope="module")
def seed_report(django_db_setup, django_db_blocker) -> RenderedSeed:
    """The whole seed programme rendered once per module; the data are rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        programme = programme_load_seed()
        snapshot = report_snapshot(
            programme=programme,
            title="Anhang zum Sachstandsbericht",
            ds_number=SEED_DS_NUMBER,
            report_date=SEED_REPORT_DATE,
        )
        transaction.set_rollback(True)
    html = render_report_html(snapshot)
    rendered = render_report_pdf(html)
    return RenderedSeed(snapshot, html, PdfText(rendered.content), rendered.page_count)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
