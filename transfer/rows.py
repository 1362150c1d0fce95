"""Recognised sheets → rows with typed values, every error with sheet, row number as the
spreadsheet shows it, and column (`transfer.errors`).

Each cell is read by its column's reader (`transfer.cells.reader`, from the column's
declaration in the resource); a measure's working group is resolved against the programme's
groups, and a row whose identity (the resource's `import_id_fields`) repeats an earlier one is
an error. Cross-checks against the database (does measure 9.9 exist?) are made by
`transfer.plan`.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from measures.models import group_number_of, group_prefix_error

from .cells import CellError, cell_text, reader
from .columns import MEASURES, columns, identity, model_field
from .errors import ErrorCollector, RowError
from .sheets import Sheet
from .sources import FormulaWithoutValue
from .vocabularies import word, working_group_lookup


@cache
def readers(kind: str) -> dict[str, Any]:
    """Field key → the reader of its cells."""
    return {key: reader(column, model_field(kind, key)) for key, column in columns(kind).items()}


@dataclass
class Rows:
    """The validated content of a file, per kind; a kind whose sheet is absent is None."""

    sheets: dict[str, Sheet] = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=ErrorCollector)

    def has(self, kind: str) -> bool:
        return kind in self.sheets

    def columns(self, kind: str) -> set[str]:
        return set(self.sheets[kind].columns) if kind in self.sheets else set()


def read_rows(*, sheets: list[Sheet], groups) -> Rows:
    """Every row of every sheet read into typed values; all errors collected."""
    result = Rows()
    lookup = working_group_lookup(groups)
    group_list = ", ".join(group.numeral for group in groups)
    groups_by_number = {group.number: group for group in groups}
    for sheet in sheets:
        result.sheets[sheet.kind] = sheet
        cell_readers = readers(sheet.kind)
        rows = []
        for number, cells in sheet.rows:
            row = {"_row": number}
            valid = True
            for key, raw in cells.items():
                if isinstance(raw, FormulaWithoutValue):
                    valid = False
                    result.errors.append(
                        RowError(formula_message(raw), sheet.title, number, sheet.columns[key])
                    )
                    continue
                try:
                    row[key] = cell_readers[key](raw)
                except CellError as error:
                    valid = False
                    result.errors.append(
                        RowError(str(error), sheet.title, number, sheet.columns[key])
                    )
            if sheet.kind == MEASURES and "number" in row:
                valid &= _resolve_group(
                    row, lookup, groups_by_number, group_list, sheet, result.errors
                )
            if valid:
                rows.append(row)
        result.rows[sheet.kind] = rows
        _check_duplicates(sheet, rows, result.errors)
    return result


def formula_message(cell: FormulaWithoutValue) -> str:
    return _(
        "Die Zelle %(cell)s enthält eine Formel ohne gespeicherten Wert; bitte die Datei in "
        "Excel oder LibreOffice öffnen und speichern oder den Wert selbst eintragen."
    ) % {"cell": cell.coordinate}


def _resolve_group(row, lookup, groups_by_number, group_list, sheet, errors) -> bool:
    """Working group from its column or, when blank, from the number ("2.3" → II)."""
    written = row.get("working_group", "")
    prefix = group_number_of(row["number"])
    column = sheet.columns.get("working_group", sheet.columns["number"])
    if written:
        group = lookup.get(word(written))
        if group is None:
            errors.append(
                RowError(
                    _("Die Arbeitsgruppe '%(value)s' gibt es nicht (%(allowed)s).")
                    % {"value": written, "allowed": group_list},
                    sheet.title,
                    row["_row"],
                    column,
                )
            )
            return False
    else:
        group = groups_by_number.get(prefix)
        if group is None:
            errors.append(
                RowError(
                    _("Zur Nummer %(number)s gibt es keine Arbeitsgruppe %(prefix)s (%(allowed)s).")
                    % {"number": row["number"], "prefix": prefix, "allowed": group_list},
                    sheet.title,
                    row["_row"],
                    sheet.columns["number"],
                )
            )
            return False
    if message := group_prefix_error(row["number"], group):
        errors.append(RowError(message, sheet.title, row["_row"], sheet.columns["number"]))
        return False
    row["working_group"] = group
    return True


def _check_duplicates(sheet: Sheet, rows: list[dict], errors: list[RowError]) -> None:
    keys = identity(sheet.kind)
    if not keys:
        return  # goals: checked by order once blank orders are filled in (transfer.plan)
    column = keys[-1]  # the column that tells the repeated row apart: named in the error
    first_row: dict[tuple, int] = {}
    for row in rows:
        key = tuple(row.get(name) for name in keys)
        if key in first_row:
            errors.append(
                RowError(
                    _("'%(value)s' kommt doppelt vor (schon in Zeile %(first)s).")
                    % {
                        "value": " / ".join(cell_text(value) for value in key),
                        "first": first_row[key],
                    },
                    sheet.title,
                    row["_row"],
                    sheet.columns[column],
                )
            )
        else:
            first_row[key] = row["_row"]
