"""The layout of a report is freed before its PDF objects are serialised (the step with the
highest memory use), and freeing it changes nothing in the PDF."""

import gc

import pydyf
import pytest

from reports.pdf import pdf_options, release_layout, render_report_pdf

HTML_PAGES = (
    "<html lang='de'><title>t</title><body>"
    + "<h1>Maßnahme</h1><p style='break-after: page'>Sachstand <a href='#m'>Link</a></p>" * 3
    + "<p id='m'>Ende</p>"
)


def _live_page_boxes() -> int:
    from weasyprint.formatting_structure.boxes import PageBox

    gc.collect()
    # type(), not isinstance(): a dead weakref.proxy among gc's objects raises on __class__.
    return sum(issubclass(type(item), PageBox) for item in gc.get_objects())


def test_no_page_box_is_alive_while_the_pdf_is_serialised(monkeypatch):
    alive_while_writing = []
    write = pydyf.PDF.write

    def recording_write(self, *args, **kwargs):
        alive_while_writing.append(_live_page_boxes())
        return write(self, *args, **kwargs)

    monkeypatch.setattr(pydyf.PDF, "write", recording_write)

    rendered = render_report_pdf(HTML_PAGES)

    assert rendered.page_count == 4
    assert alive_while_writing == [0]


@pytest.mark.parametrize("variant", ["", "pdf/a-3b"])
def test_a_pdf_written_after_releasing_the_layout_is_byte_for_byte_the_same(variant):
    from weasyprint import HTML

    options = {**pdf_options(variant), "pdf_identifier": b"x" * 16}
    released = HTML(string=HTML_PAGES).render(**options)
    kept = HTML(string=HTML_PAGES).render(**options)

    assert released.write_pdf(finisher=release_layout, **options) == kept.write_pdf(**options)
    assert all(page._page_box is None for page in released.pages)
