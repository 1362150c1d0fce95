"""File → recognised sheets: each raw table's kind (from its name or its headers) and which
column is which, German or English headers alike (`transfer.columns`).

The file itself (sniffing XLSX, ODS or CSV, encodings, bounds, merged cells) is read by
`transfer.sources`; the rows are validated by `transfer.rows`.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .columns import (
    GOALS,
    KPIS,
    MEASURES,
    SHEET_NAMES,
    VALUES,
    column_names,
    header_aliases,
    header_key,
    required_columns,
)
from .errors import FileRefused, RowError
from .sources import RawTable, read_tables


@dataclass
class Sheet:
    """One table of the file: its kind, which columns it has and its rows (raw cells)."""

    title: str
    kind: str
    columns: dict[str, str]  # field key → header as written in the file
    rows: list[tuple[int, dict[str, Any]]]  # (row number as shown, {key: raw cell})


def _kind_from_title(title: str) -> str | None:
    key = header_key(title)
    for kind, names in SHEET_NAMES.items():
        if key in {header_key(name) for name in names}:
            return kind
    return None


def _kind_from_headers(headers: list[str]) -> str | None:
    keys = {header_key(header) for header in headers if header_key(header)}
    # Most specific first: a KPI value sheet also has the columns of a KPI sheet.
    for kind in (VALUES, GOALS, KPIS, MEASURES):
        aliases = header_aliases(kind)
        present = {aliases[key] for key in keys if key in aliases}
        if all(required in present for required in required_columns(kind)):
            return kind
    return None


def _to_sheet(table: RawTable, *, only_kind: bool) -> Sheet:
    kind = _kind_from_title(table.title) if not only_kind else None
    kind = kind or _kind_from_headers(table.headers)
    if kind is None:
        expected = ", ".join(column_names(MEASURES).values())
        raise FileRefused(
            [
                RowError(
                    _(
                        "Die Spalten passen zu keiner bekannten Tabelle (Maßnahmen, Ziele, "
                        "Kennzahlen, Kennzahlwerte). Für Maßnahmen zum Beispiel: %(expected)s."
                    )
                    % {"expected": expected},
                    sheet=table.title,
                    row=table.header_row,
                )
            ]
        )
    aliases = header_aliases(kind)
    columns: dict[str, str] = {}
    positions: dict[int, str] = {}
    errors = []
    known = ", ".join(column_names(kind).values())
    for position, header in enumerate(table.headers):
        key = header_key(header)
        if not key:
            continue
        name = aliases.get(key)
        if name is None:
            errors.append(
                RowError(
                    _("Unbekannte Spalte '%(header)s'. Bekannt sind: %(known)s.")
                    % {"header": str(header).strip(), "known": known},
                    sheet=table.title,
                    row=table.header_row,
                )
            )
        elif name in columns:
            errors.append(
                RowError(
                    _("Die Spalte '%(header)s' kommt doppelt vor.") % {"header": header},
                    sheet=table.title,
                    row=table.header_row,
                )
            )
        else:
            columns[name] = str(header).strip()
            positions[position] = name
    headers_by_key = column_names(kind)
    missing = [headers_by_key[key] for key in required_columns(kind) if key not in columns]
    if missing:
        errors.append(
            RowError(
                _("Es fehlen die Spalten: %(missing)s.") % {"missing": ", ".join(missing)},
                sheet=table.title,
                row=table.header_row,
            )
        )
    if errors:
        raise FileRefused(errors)
    rows = []
    names, places = list(positions.values()), list(positions)
    width = max(places, default=-1) + 1
    for number, cells in table.rows:
        if len(cells) < width:
            cells = [*cells, *[None] * (width - len(cells))]
        picked = [cells[place] for place in places]
        # A row with content only in columns without a header is no row of the sheet.
        if picked.count(None) + picked.count("") < len(picked):
            rows.append((number, dict(zip(names, picked, strict=True))))
    return Sheet(title=table.title, kind=kind, columns=columns, rows=rows)


def read_sheets(*, name: str, data: bytes) -> tuple[str, list[Sheet]]:
    """The recognised sheets of a file; refuses files that are not one of ours."""
    file_format, tables = read_tables(name=name, data=data)
    if not tables:
        raise FileRefused([RowError(_("Die Datei enthält keine Daten."))])
    sheets, errors = [], []
    for table in tables:
        try:
            sheets.append(_to_sheet(table, only_kind=file_format == "csv"))
        except FileRefused as refused:
            errors.extend(refused.errors)
    seen: dict[str, str] = {}
    for sheet in sheets:
        if sheet.kind in seen:
            errors.append(
                RowError(
                    _("Die Datei enthält zwei Tabellen derselben Art: %(a)s und %(b)s.")
                    % {"a": seen[sheet.kind], "b": sheet.title}
                )
            )
        seen[sheet.kind] = sheet.title
    if errors:
        raise FileRefused(errors)
    if not any(sheet.rows for sheet in sheets):
        raise FileRefused([RowError(_("Die Datei enthält keine Daten, nur Überschriften."))])
    return file_format, sheets
