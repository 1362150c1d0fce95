"""Damaged and hostile workbooks, made from a valid one at test time."""

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def valid_workbook(rows: int = 1500) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Maßnahmen"
    sheet.append(["Nummer", "Arbeitsgruppe", "Titel"])
    for index in range(1, rows):
        sheet.append([f"1.{index}", "I", f"Titel {index:05d}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, change, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def bad_crc() -> bytes:
    """A byte of the sheet changed after zipping: its CRC-32 no longer matches (found only
    when the reader reaches the end of the sheet)."""
    stored = _rewrite(valid_workbook(), lambda name, data: data, compression=zipfile.ZIP_STORED)
    last = f"Titel {1499:05d}".encode()
    at = stored.index(last)
    return stored[:at] + last.replace(b"Titel", b"Tite!") + stored[at + len(last) :]


def truncated() -> bytes:
    data = valid_workbook()
    return data[: len(data) // 2]


def broken_sheet_xml() -> bytes:
    return _rewrite(
        valid_workbook(), lambda name, data: data[: len(data) * 3 // 4] if name == SHEET else data
    )


def _with_doctype(doctype: str, entity: str) -> bytes:
    def change(name, data):
        if name != SHEET:
            return data
        declaration = f'<?xml version="1.0"?><!DOCTYPE worksheet [{doctype}]>'.encode()
        return declaration + data.replace(b"Titel 00001", f"&{entity};".encode())

    return _rewrite(valid_workbook(), change)


def external_entity() -> bytes:
    """XXE: a cell that would show /etc/passwd if the reader resolved external entities."""
    return _with_doctype('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "xxe")


def billion_laughs() -> bytes:
    """Nested entities expanding to 10^9 "lol"s."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    return _with_doctype(entities, "lol9")


DAMAGED = {
    "bad-crc": bad_crc,
    "truncated": truncated,
    "broken-sheet-xml": broken_sheet_xml,
    "external-entity": external_entity,
    "billion-laughs": billion_laughs,
}
