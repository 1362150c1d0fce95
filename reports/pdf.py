"""HTML → PDF bytes with WeasyPrint. Worker-only: the web processes never import this module
(a test keeps it so), so WeasyPrint and the pydyf patch below load only where PDFs are built.

The worker that renders has no request, so WeasyPrint gets a base URL on the static folder and
a URL fetcher that serves only files below it (the icons, the fonts, the stylesheet).
"""

import gc
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from django.conf import settings
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

STATIC_ROOT = Path(settings.BASE_DIR) / "static"

STANDARD_PDF_VARIANT = "pdf/ua-1"

# The pydyf release whose `PDF.page_references` the patch below was written against.
PATCHED_PYDYF_VERSION = "0.13.0"


class StaticFileFetcher(URLFetcher):
    """Serves `file:` URLs below the static folder and `data:` URLs (the charts), and refuses
    everything else (no network)."""

    def fetch(self, url, headers=None):
        parsed = urlsplit(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        path = Path(url2pathname(parsed.path)).resolve()
        if parsed.scheme != "file" or not path.is_relative_to(STATIC_ROOT.resolve()):
            raise ValueError(f"The report may only load its own static files, not {url}")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def pdf_options(pdf_variant: str) -> dict:
    """Archival reports are PDF/A-3b; every report is tagged (PDF/UA-1 where not archival)."""
    return {"pdf_variant": pdf_variant or STANDARD_PDF_VARIANT, "pdf_tags": True}


def _cached_page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_page_references_cache")
    if cached is None or cached[0] != len(kids):
        references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = pdf.__dict__["_page_references_cache"] = (len(kids), references)
    return cached[1]


# pydyf's own property, kept for the test that compares the cache against it.
PYDYF_PAGE_REFERENCES = pydyf.PDF.__dict__["page_references"]


def install_page_reference_cache(version: str = pydyf.__version__) -> bool:
    """pydyf rebuilds the tuple of all page references on every access, and WeasyPrint's
    tagging reads it once per tagged element: writing a tagged PDF took time growing with the
    square of the page count (500 measures: 11 of 18 s spent there). Pages are only ever
    appended to "Kids", so a cache keyed by its length returns exactly what pydyf would.

    Only for the pydyf version it was written against: another version may store pages
    differently, so it keeps its own (slower, correct) property and a log line says so.
    """
    if version != PATCHED_PYDYF_VERSION:
        logger.warning(
            "pydyf %s is not %s: page references are not cached, tagged PDFs of many pages "
            "are written more slowly",
            version,
            PATCHED_PYDYF_VERSION,
        )
        return False
    pydyf.PDF.page_references = property(_cached_page_references)
    return True


install_page_reference_cache()


@contextmanager
def _cyclic_gc_paused():
    """WeasyPrint builds millions of long-lived objects for a large report. Python's cyclic
    collector rescans all of them on every full pass, which made the render time grow with
    the square of the page count (500 measures: 77 s instead of 47 s). Its garbage is freed
    by reference counting anyway: peak memory differs by about 3 %.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def release_layout(document, pdf) -> None:
    """WeasyPrint's `finisher`: called once every page is painted and tagged into PDF objects,
    right before those are serialised. The layout (page boxes, the HTML tree) is not needed any
    more then, but would stay alive while pydyf writes, the step with the highest memory use:
    freeing it first lets the writing reuse that memory (500-measure round report: about
    60 MiB less at the peak). The page objects stay, so the page count is still known.
    """
    for page in document.pages:
        page._page_box = None
    document._html = None
    gc.collect()


def render_report_pdf(report_html: str, *, pdf_variant: str = "") -> RenderedPdf:
    options = pdf_options(pdf_variant)
    with _cyclic_gc_paused():
        document = HTML(
            string=report_html,
            base_url=STATIC_ROOT.as_uri() + "/",
            url_fetcher=StaticFileFetcher(allowed_protocols={"file", "data"}),
        ).render(font_config=FontConfiguration(), **options)
        # What layout left behind in reference cycles goes before the PDF is written, the
        # step with the highest memory use (500 measures: about 100 MiB less at the peak).
        gc.collect()
        page_count = len(document.pages)
        content = document.write_pdf(finisher=release_layout, **options)
        return RenderedPdf(content=content, page_count=page_count)
