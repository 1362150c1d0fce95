"""Hostile import files: time and peak memory of reading each (file → validated rows).

    .venv/bin/python bench/import_bounds.py [--keep]

Builds, in /tmp, the files of issue #9 that once drove the reader to 2.9-3.8 GB or 137 s,
and a few of their kind just within the limits, then reads each in a fresh process through
`read_sheets` and `read_rows` (what the web process and the worker do before planning) and
prints the wall time, the peak RSS of that process and what the reader answered.

Target: every file within the upload limit (IMPORT_MAX_UPLOAD_BYTES, 10 MB) is read or
refused with a clear message in a few hundred MB at most. The baseline line shows what the
process holds before reading (Python, Django, openpyxl).
"""

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FOLDER = Path("/tmp/sachstand-import-bounds")
HEADERS = ["Nummer", "Arbeitsgruppe", "Titel", "Beschreibung", "Status",
           "Verantwortliche Stellen", "Kosten", "Personal", "Zeitraum", "Quickwin",
           "Kostenschätzung (€)", "Personalbedarf (VZV)", "Dauer (Jahre)"]  # fmt: skip
SHEET = "xl/worksheets/sheet1.xml"


def small_workbook() -> bytes:
    """A real workbook (headers, one measure, a bold style) to graft hostile sheets onto."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Maßnahmen"
    sheet.append(HEADERS)
    sheet.append(["1.30", "I", "Neu", "", "geplant", "", "hoch", "", "", "", "", "", ""])
    sheet["A1"].font = Font(bold=True)  # style 1 exists
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHARED = "xl/sharedStrings.xml"
SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
SHARED_RELATION = (
    '<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def graft(path: Path, sheet_xml, shared_strings=None) -> None:
    """Write `path`: the small workbook with its sheet replaced by the chunks of `sheet_xml`
    (and, if given, a shared string table from the chunks of `shared_strings`)."""
    source = zipfile.ZipFile(io.BytesIO(small_workbook()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename).decode()
            if info.filename == SHEET:
                with target.open(SHEET, "w", force_zip64=True) as member:
                    for chunk in sheet_xml(target):
                        member.write(chunk.encode())
                continue
            if shared_strings and info.filename == "[Content_Types].xml":
                content = content.replace("</Types>", SHARED_TYPE)
            if shared_strings and info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace("</Relationships>", SHARED_RELATION)
            target.writestr(info.filename, content)
        if shared_strings:
            with target.open(SHARED, "w", force_zip64=True) as member:
                for chunk in shared_strings():
                    member.write(chunk.encode())


def dense_text(rows: int):
    """`rows` rows of 13 cells, each a different sentence from the shared string table."""
    words = ["Digitalisierung", "Prozess", "Akte", "Portal", "Schulung", "Verwaltung",
             "Bürger*innen", "Service", "Plattform", "Daten", "Netz", "Beteiligung"]  # fmt: skip
    count = rows * 13

    def strings():
        rng = random.Random(3)
        yield (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://'
            f'schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{count}">'
        )
        for start in range(0, count, 1000):
            yield "".join(
                f"<si><t>{index} {' '.join(rng.choices(words, k=12))}</t></si>"
                for index in range(start, min(start + 1000, count))
            )
        yield "</sst>"

    def sheet(_target):
        yield sheet_start(f"A1:M{rows + 2}")
        for start in range(3, rows + 3, 500):
            yield "".join(
                f'<row r="{row}">'
                + "".join(
                    f'<c r="{chr(65 + column)}{row}" t="s"><v>{(row - 3) * 13 + column}</v></c>'
                    for column in range(13)
                )
                + "</row>"
                for row in range(start, min(start + 500, rows + 3))
            )
        yield SHEET_END

    return sheet, strings


def sheet_start(dimension: str) -> str:
    header = "".join(
        f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for index, text in enumerate(HEADERS)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData><row r="1">{header}</row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>1.30</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>Neu</t></is></c></row>'
    )


SHEET_END = "</sheetData></worksheet>"


def empty_formatted_rows(*, compressed=None, uncompressed=None):
    """Rows 3… of 13 formatted empty cells, until the zip or the XML reaches a size."""

    def chunks(target):
        yield sheet_start("A1:M1048576")
        written, number = 0, 3
        while True:
            block = "".join(
                f'<row r="{row}" s="1" customFormat="1">'
                + "".join(f'<c r="{chr(65 + column)}{row}" s="1"/>' for column in range(13))
                + "</row>"
                for row in range(number, number + 1000)
            )
            number += 1000
            written += len(block)
            yield block
            if compressed and target.fp.tell() >= compressed:
                break
            if uncompressed and written >= uncompressed:
                break
        yield SHEET_END

    return chunks


def junk_rows(count: int):
    def chunks(_target):
        yield sheet_start(f"A1:M{count + 2}")
        rng = random.Random(9)
        for start in range(3, count + 3, 1000):
            yield "".join(
                f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>x{rng.randint(0, 9**6)}'
                f'</t></is></c><c r="G{row}" t="inlineStr"><is><t>sehr hoch</t></is></c></row>'
                for row in range(start, min(start + 1000, count + 3))
            )
        yield SHEET_END

    return chunks


def build() -> list[tuple[str, Path]]:
    FOLDER.mkdir(exist_ok=True)
    files = []

    path = FOLDER / "huge-dimension.xlsx"
    graft(path, lambda _target: iter([sheet_start("A1:XFD1048576"), SHEET_END]))
    files.append(("declares A1:XFD1048576", path))

    path = FOLDER / "empty-formatted-rows-10mb.xlsx"
    graft(path, empty_formatted_rows(compressed=10 * 1024 * 1024))
    files.append(("10 MB of empty formatted rows", path))

    path = FOLDER / "empty-formatted-rows-95mb-xml.xlsx"
    graft(path, empty_formatted_rows(uncompressed=95 * 1024 * 1024))
    files.append(("empty formatted rows, 95 MB XML (within limit)", path))

    path = FOLDER / "junk-200000.xlsx"
    graft(path, junk_rows(200_000))
    files.append(("200,000 junk rows (XLSX)", path))

    path = FOLDER / "junk-200000.csv"
    rng = random.Random(9)
    lines = [";".join(HEADERS)] + [
        f"x{rng.randint(0, 9**6)};;;;;;sehr hoch;;;;;;" for _ in range(200_000)
    ]
    path.write_text("\r\n".join(lines), encoding="cp1252")
    files.append(("200,000 junk rows (CSV, Windows-1252)", path))

    path = FOLDER / "junk-50000.xlsx"
    graft(path, junk_rows(49_998))
    files.append(("50,000 junk rows (XLSX, within limit)", path))

    path = FOLDER / "dense-text.xlsx"
    sheet, strings = dense_text(40_000)
    graft(path, sheet, strings)
    files.append(("40,000 rows x 13 distinct texts (shared strings)", path))

    bench_workbook = Path("/tmp/sachstand-bench-import.xlsx")
    if bench_workbook.exists():  # from bench/import.py: 5,000 real measures
        files.append(("bench/import.py workbook (5,000 measures)", bench_workbook))
    return files


def measure(path: Path) -> dict:
    """In this (fresh) process: read and validate one file."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masterplan.settings")
    import django

    django.setup()
    from types import SimpleNamespace

    from transfer.errors import FileRefused, errors_listed
    from transfer.rows import read_rows
    from transfer.sheets import read_sheets

    groups = [
        SimpleNamespace(number=number, numeral=numeral, name=f"Arbeitsgruppe {numeral}")
        for number, numeral in enumerate(["I", "II", "III", "IV", "V", "VI"], start=1)
    ]
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    data = path.read_bytes()
    try:
        _format, sheets = read_sheets(name=path.name, data=data)
        rows = read_rows(sheets=sheets, groups=groups)
        listed = errors_listed(rows.errors)
        counted = sum(error.omitted or 1 for error in listed)
        answer = (
            f"read: {sum(len(items) for items in rows.rows.values())} valid rows, "
            f"{counted} errors ({len(listed)} listed)" + (f", last: {listed[-1]}" if listed else "")
        )
    except FileRefused as refused:
        answer = f"refused: {refused.errors[0]}"
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": elapsed, "peak_mb": peak / 1024, "baseline_mb": baseline / 1024,
            "answer": answer}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the files in " + str(FOLDER))
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.measure)))
        return
    files = build()
    print(f"{'file':<48} {'size':>9} {'unpacked':>10} {'time':>8} {'peak RSS':>9}  answer")
    for label, path in files:
        size = path.stat().st_size
        unpacked = size
        if path.suffix == ".xlsx":
            unpacked = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
        result = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            print(f"{label:<48} FAILED\n{result.stderr[-2000:]}")
            continue
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{label:<48} {size / 1e6:>7.1f}MB {unpacked / 1e6:>8.1f}MB "
            f"{figures['seconds']:>7.2f}s {figures['peak_mb']:>7.0f}MB  {figures['answer'][:110]}"
        )
    print(f"(baseline of each process before reading: {figures['baseline_mb']:.0f} MB)")
    if not arguments.keep:
        for _label, path in files:
            if path.parent == FOLDER:
                path.unlink()


if __name__ == "__main__":
    main()
