import logging

import pydyf
import pytest

from reports.pdf import PATCHED_PYDYF_VERSION, PYDYF_PAGE_REFERENCES, install_page_reference_cache


def _pdf_with_pages(count: int) -> pydyf.PDF:
    pdf = pydyf.PDF()
    for _ in range(count):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    return pdf


def test_the_patch_is_written_for_the_installed_pydyf():
    assert pydyf.__version__ == PATCHED_PYDYF_VERSION, (
        "pydyf was upgraded: check reports.pdf._cached_page_references against its "
        "PDF.page_references and update PATCHED_PYDYF_VERSION"
    )
    assert pydyf.PDF.__dict__["page_references"] is not PYDYF_PAGE_REFERENCES


def test_cached_page_references_equal_pydyfs_own_as_pages_are_added():
    pdf = _pdf_with_pages(3)
    first = pdf.page_references
    assert first == PYDYF_PAGE_REFERENCES.fget(pdf)

    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))

    assert len(first) == 3
    assert len(pdf.page_references) == 4
    assert pdf.page_references == PYDYF_PAGE_REFERENCES.fget(pdf)


def test_another_pydyf_version_keeps_its_own_property_and_says_so(caplog, monkeypatch):
    monkeypatch.setattr(pydyf.PDF, "page_references", PYDYF_PAGE_REFERENCES)
    with caplog.at_level(logging.WARNING, logger="reports.pdf"):
        installed = install_page_reference_cache(version="99.0.0")

    assert not installed
    assert pydyf.PDF.__dict__["page_references"] is PYDYF_PAGE_REFERENCES
    assert "pydyf 99.0.0 is not" in caplog.text


@pytest.mark.parametrize("pages", [1, 40])
def test_a_tagged_pdf_is_byte_for_byte_what_pydyf_alone_writes(pages, monkeypatch):
    from weasyprint import HTML

    html = "<html lang='de'><title>t</title><body>" + "<p style='break-after: page'>x</p>" * pages
    patched = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=b"x" * 16)
    monkeypatch.setattr(pydyf.PDF, "page_references", PYDYF_PAGE_REFERENCES)
    unpatched = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=b"x" * 16)

    assert patched == unpatched
