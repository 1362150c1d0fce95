import pydyf

import reports.rendering  # noqa: F401  (installs the cached page references)


def test_cached_page_references_follow_pages_added_later():
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = pdf.page_references

    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))

    expected = tuple(f"{number} 0 R".encode("ascii") for number in pdf.pages["Kids"][::3])
    assert len(first) == 3
    assert pdf.page_references == expected
    assert len(expected) == 4
