"""Reading a spreadsheet (XLSX workbook or CSV) into validated rows.

file bytes → raw tables (`transfer.sources`: encodings, bounds, merged cells) → sheets (kind
detected from the sheet name or the headers) → rows with typed values, and every error with
sheet, row number as the spreadsheet shows it, and column (`transfer.errors`).
Cross-checks against the database (does measure 9.9 exist?) are made by `transfer.plan`.

Cells are read forgivingly where the meaning is unambiguous (see `RATING_WORDS`); text that
an export protected against formula injection gets its original value back (`unprotect`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.models import KPI, KPIValue
from kpis.resources import KPIResource, KPIValueResource
from masterplan.models import Level, QuickWin, Timeframe
from masterplan.numbers import parse_decimal
from measures.models import (
    MEASURE_NUMBER_PATTERN,
    Goal,
    GoalStatus,
    Measure,
    MeasureStatus,
    group_number_of,
    group_prefix_error,
)
from measures.resources import GoalResource, MeasureResource
from measures.text import TextLengthValidator, normalize_text, text_limit

# Reading the file itself (sniffing, encodings, bounds) lives in `sources`, the error list in
# `errors`; both are importable from here as before.
from .errors import ErrorCollector, FileRefused, RowError, errors_listed, errors_total  # noqa: F401
from .sources import FormulaWithoutValue, RawTable, read_tables  # noqa: F401

MEASURES, GOALS, KPIS, VALUES = "measures", "goals", "kpis", "values"
KINDS = (MEASURES, GOALS, KPIS, VALUES)
SHEET_NAMES = {
    MEASURES: ("Maßnahmen", "Measures"),
    GOALS: ("Ziele", "Goals"),
    KPIS: ("Kennzahlen", "KPIs"),
    VALUES: ("Kennzahlwerte", "KPI values"),
}
# What the page calls each kind ("Maßnahmen als CSV"); sheet names in files stay as above.
KIND_LABELS = {
    MEASURES: gettext_lazy("Maßnahmen"),
    GOALS: gettext_lazy("Ziele"),
    KPIS: gettext_lazy("Kennzahlen"),
    VALUES: gettext_lazy("Kennzahlwerte"),
}
RESOURCES = {
    MEASURES: MeasureResource,
    GOALS: GoalResource,
    KPIS: KPIResource,
    VALUES: KPIValueResource,
}
REQUIRED_COLUMNS = {
    MEASURES: ("number", "title"),
    GOALS: ("measure", "text"),
    KPIS: ("measure", "name"),
    VALUES: ("measure", "kpi", "date", "value"),
}
# Columns that identify a measure: text only. As a number, "1.10" arrives as 1.1; the export
# and the template format these columns as text ("@") so that a spreadsheet keeps them so.
TEXT_COLUMNS = ("number", "measure")
# Cells from user text that a spreadsheet would run as a formula.
FORMULA_START = ("=", "+", "-", "@")
_PROTECTED = re.compile(r"^'+[=+\-@]")
_NUMBER = re.compile(MEASURE_NUMBER_PATTERN)


class CellError(ValueError):
    pass


def protect(text: str) -> str:
    """Export: a leading apostrophe keeps spreadsheets from running user text as a formula."""
    if text.startswith(FORMULA_START) or _PROTECTED.match(text):
        return "'" + text
    return text


def unprotect(text: str) -> str:
    """Import: strip exactly the apostrophe `protect` added."""
    return text[1:] if _PROTECTED.match(text) else text


# --- Cell readers -----------------------------------------------------------------------------

_ARROWS = re.compile(r"[↗↘→←↑↓⬈⬊➚➘➔⇗⇘⇒]")


def _norm(value: str) -> str:
    return " ".join(_ARROWS.sub(" ", value).casefold().split())


RATING_WORDS: dict[type, dict[str, str]] = {
    Level: {
        "gering": Level.LOW,
        "niedrig": Level.LOW,
        "low": Level.LOW,
        "mittel": Level.MEDIUM,
        "medium": Level.MEDIUM,
        "hoch": Level.HIGH,
        "high": Level.HIGH,
    },
    Timeframe: {
        "kurzfristig": Timeframe.SHORT,
        "kurz": Timeframe.SHORT,
        "short": Timeframe.SHORT,
        "short-term": Timeframe.SHORT,
        "mittelfristig": Timeframe.MEDIUM,
        "mittel": Timeframe.MEDIUM,
        "medium": Timeframe.MEDIUM,
        "medium-term": Timeframe.MEDIUM,
        "langfristig": Timeframe.LONG,
        "lang": Timeframe.LONG,
        "long": Timeframe.LONG,
        "long-term": Timeframe.LONG,
    },
    QuickWin: {
        "ja": QuickWin.YES,
        "yes": QuickWin.YES,
        "★": QuickWin.YES,
        "🌟": QuickWin.YES,
        "⭐": QuickWin.YES,
        "teilweise": QuickWin.PARTLY,
        "partly": QuickWin.PARTLY,
        "partially": QuickWin.PARTLY,
        "nein": QuickWin.NO,
        "no": QuickWin.NO,
        "☆": QuickWin.NO,
    },
}
NOT_RATED = {"", "nicht bewertet", "not rated"}


def _choice_words(choices: type) -> dict[str, str]:
    words = {}
    for value, label in choices.choices:
        words[_norm(value)] = value
        words[_norm(str(label))] = value
        words[_norm(value.replace("ue", "ü"))] = value
    return words


STATUS_WORDS = {
    MeasureStatus: {
        **_choice_words(MeasureStatus),
        "planned": MeasureStatus.PLANNED,
        "in progress": MeasureStatus.IN_PROGRESS,
        "completed": MeasureStatus.COMPLETED,
        "deferred": MeasureStatus.DEFERRED,
    },
    GoalStatus: {
        **_choice_words(GoalStatus),
        "open": GoalStatus.OPEN,
        "in progress": GoalStatus.IN_PROGRESS,
        "reached": GoalStatus.REACHED,
        "delayed": GoalStatus.DELAYED,
        "dropped": GoalStatus.DROPPED,
    },
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return unprotect(normalize_text(str(value)).strip())


def _not_allowed(value: Any, allowed) -> CellError:
    return CellError(
        _("'%(value)s' ist kein zulässiger Wert (%(allowed)s)")
        % {"value": _text(value), "allowed": ", ".join(str(item) for item in allowed)}
    )


def read_rating(value: Any, choices: type) -> str:
    """ "Mittel", " mittel ", "hoch ↗", "★" → the stored level; blank → not rated."""
    text = _norm(_text(value))
    if text in NOT_RATED:
        return ""
    words = RATING_WORDS[choices]
    if text in words:
        return words[text]
    raise _not_allowed(value, choices.values)


def read_status(value: Any, choices: type) -> str | None:
    """A status by value or label, German or English; blank → None (keep or default)."""
    text = _norm(_text(value))
    if not text:
        return None
    words = STATUS_WORDS[choices]
    if text in words:
        return words[text]
    raise _not_allowed(value, [label for _value, label in choices.choices])


def read_decimal(value: Any) -> Decimal | None:
    """A number cell: native numbers as they are, text by the German rules of
    `masterplan.numbers.parse_decimal` ("1.234,5", "1.500.000", "2,5"); blank → None.

    German whatever the page language: the export writes German numbers, and the same file
    must read the same for everyone.
    """
    if isinstance(value, str):
        value = _text(value)
    try:
        return parse_decimal(value, language="de")
    except ValidationError:
        raise CellError(_("'%(value)s' ist keine Zahl") % {"value": _text(value)}) from None


def read_order(value: Any) -> int | None:
    number = read_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value() or not 0 <= number <= 32767:
        raise CellError(
            _("'%(value)s' ist keine ganze Zahl zwischen 0 und 32767") % {"value": _text(value)}
        )
    return int(number)


def read_id(value: Any) -> int | None:
    """A version or a key the export wrote: a positive whole number; blank → None."""
    number = read_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value() or not 1 <= number <= 2**31 - 1:
        raise CellError(_("'%(value)s' ist keine positive ganze Zahl") % {"value": _text(value)})
    return int(number)


_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")


def read_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    text = text.split(" ")[0] if re.fullmatch(r"\d{4}-\d\d-\d\d[ T]00:00(:00)?", text) else text
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("'%(value)s' ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT)") % {"value": text})


def read_number(value: Any) -> str:
    """A measure number: text "1.10"; a number cell (1.1, from "1.10" typed) is ambiguous."""
    if isinstance(value, float | Decimal):
        raise CellError(
            _(
                "Die Nummer %(value)s steht als Zahl in der Zelle; als Zahl ist z. B. 1.10 "
                "nicht von 1.1 zu unterscheiden. Bitte die Spalte als Text formatieren und die "
                "Nummer erneut eintragen (oder mit einem Apostroph beginnen: '1.10)."
            )
            % {"value": _text(value)}
        )
    text = _text(value)
    if not text:
        raise CellError(_("Die Nummer fehlt."))
    if not _NUMBER.match(text):
        raise CellError(
            _(
                "'%(value)s' ist keine Maßnahmennummer der Form "
                "„Arbeitsgruppe.laufende Nummer“, z. B. 1.4"
            )
            % {"value": text}
        )
    return text


def _model_text(model, name: str, *, required: bool = False) -> Callable[[Any], str]:
    """Text checked as the model field's full_clean would (length, blank)."""
    limit = TextLengthValidator(text_limit(model._meta.get_field(name)) or 10**9)

    def read(value: Any) -> str:
        text = _text(value)
        if required and not text:
            raise CellError(_("Dieses Feld darf nicht leer sein."))
        try:
            limit(text)  # the same limit and message as the model and the form
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None
        return text

    return read


def _model_decimal(model, name: str, *, required: bool = False, minimum=None):
    model_field = model._meta.get_field(name)

    def read(value: Any) -> Decimal | None:
        number = read_decimal(value)
        if number is None:
            if required:
                raise CellError(_("Dieses Feld darf nicht leer sein."))
            return None
        if minimum is not None and number < minimum:
            raise CellError(_("Der Wert darf nicht negativ sein."))
        try:
            model_field.run_validators(number)
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None
        return number

    return read


def _required_date(value: Any) -> date:
    result = read_date(value)
    if result is None:
        raise CellError(_("Das Datum fehlt."))
    return result


READERS: dict[str, dict[str, Callable[[Any], Any]]] = {
    MEASURES: {
        "number": read_number,
        "working_group": _text,  # resolved against the programme's groups in `read_rows`
        "title": _model_text(Measure, "title", required=True),
        "description": _model_text(Measure, "description"),
        "status": lambda value: read_status(value, MeasureStatus),
        "responsible_units": _model_text(Measure, "responsible_units"),
        "cost_rating": lambda value: read_rating(value, Level),
        "personnel_rating": lambda value: read_rating(value, Level),
        "timeframe_rating": lambda value: read_rating(value, Timeframe),
        "quick_win": lambda value: read_rating(value, QuickWin),
        "cost_estimate": _model_decimal(Measure, "cost_estimate", minimum=0),
        "personnel_estimate": _model_decimal(Measure, "personnel_estimate", minimum=0),
        "duration_estimate": _model_decimal(Measure, "duration_estimate", minimum=0),
        "version": read_id,
    },
    GOALS: {
        "measure": read_number,
        "category": _model_text(Goal, "category"),
        "text": _model_text(Goal, "text", required=True),
        "target": _model_text(Goal, "target"),
        "order": read_order,
        "status": lambda value: read_status(value, GoalStatus),
        "progress_note": _model_text(Goal, "progress_note"),
        "version": read_id,
    },
    KPIS: {
        "measure": read_number,
        "name": _model_text(KPI, "name", required=True),
        "unit": _model_text(KPI, "unit"),
        "target": _model_text(KPI, "target"),
        "order": read_order,
        "target_value": _model_decimal(KPI, "target_value"),
        "target_date": read_date,
        "key": read_id,
        "version": read_id,
    },
    VALUES: {
        "measure": read_number,
        "kpi": _model_text(KPI, "name", required=True),
        "date": _required_date,
        "value": _model_decimal(KPIValue, "value", required=True),
        "note": _model_text(KPIValue, "note"),
        "version": read_id,
    },
}


# --- Columns and sheets -----------------------------------------------------------------------


def _header_key(text: Any) -> str:
    return " ".join(str(text or "").replace("*", "").casefold().split())


def column_names(kind: str) -> dict[str, str]:
    """Field key → German column header, as the export writes it."""
    resource = RESOURCES[kind]()
    return {name: str(resource.fields[name].column_name) for name in resource._meta.fields}


def english_column_names(kind: str) -> dict[str, str]:
    return dict(RESOURCES[kind].ENGLISH_HEADERS)


def _aliases(kind: str) -> dict[str, str]:
    aliases = {}
    for names in (column_names(kind), english_column_names(kind)):
        for key, header in names.items():
            aliases[_header_key(header)] = key
    return aliases


def sheet_title(kind: str) -> str:
    return SHEET_NAMES[kind][0]


@dataclass
class Sheet:
    """One table of the file: its kind, which columns it has and its rows (raw cells)."""

    title: str
    kind: str
    columns: dict[str, str]  # field key → header as written in the file
    rows: list[tuple[int, dict[str, Any]]]  # (row number as shown, {key: raw cell})


def _kind_from_title(title: str) -> str | None:
    key = _header_key(title)
    for kind, names in SHEET_NAMES.items():
        if key in {_header_key(name) for name in names}:
            return kind
    return None


def _kind_from_headers(headers: list[str]) -> str | None:
    keys = {_header_key(header) for header in headers if _header_key(header)}
    # Most specific first: a KPI value sheet also has the columns of a KPI sheet.
    for kind in (VALUES, GOALS, KPIS, MEASURES):
        aliases = _aliases(kind)
        present = {aliases[key] for key in keys if key in aliases}
        if all(required in present for required in REQUIRED_COLUMNS[kind]):
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
    aliases = _aliases(kind)
    columns: dict[str, str] = {}
    positions: dict[int, str] = {}
    errors = []
    known = ", ".join(column_names(kind).values())
    for position, header in enumerate(table.headers):
        key = _header_key(header)
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
    missing = [headers_by_key[key] for key in REQUIRED_COLUMNS[kind] if key not in columns]
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
    for number, cells in table.rows:
        values = {
            name: cells[position] if position < len(cells) else None
            for position, name in positions.items()
        }
        if any(value not in (None, "") for value in values.values()):
            rows.append((number, values))
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


# --- Rows -------------------------------------------------------------------------------------


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


def working_group_lookup(groups) -> dict[str, Any]:
    """Ways a working group may be written: "II", "2", "AG II", its name."""
    lookup = {}
    for group in groups:
        for text in (group.numeral, str(group.number), f"AG {group.numeral}", group.name):
            lookup[_norm(text)] = group
    return lookup


def read_rows(*, sheets: list[Sheet], groups) -> Rows:
    """Every row of every sheet read into typed values; all errors collected."""
    result = Rows()
    lookup = working_group_lookup(groups)
    group_list = ", ".join(group.numeral for group in groups)
    groups_by_number = {group.number: group for group in groups}
    for sheet in sheets:
        result.sheets[sheet.kind] = sheet
        readers = READERS[sheet.kind]
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
                    row[key] = readers[key](raw)
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
        group = lookup.get(_norm(written))
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


_IDENTITY = {
    MEASURES: (("number",), "number"),
    KPIS: (("measure", "name"), "name"),
    VALUES: (("measure", "kpi", "date"), "date"),
}


def _check_duplicates(sheet: Sheet, rows: list[dict], errors: list[RowError]) -> None:
    if sheet.kind not in _IDENTITY:
        return  # goals: checked by order once blank orders are filled in (transfer.plan)
    keys, column = _IDENTITY[sheet.kind]
    first_row: dict[tuple, int] = {}
    for row in rows:
        identity = tuple(row.get(key) for key in keys)
        if identity in first_row:
            shown = " / ".join(
                value.strftime("%d.%m.%Y") if isinstance(value, date) else str(value)
                for value in identity
            )
            errors.append(
                RowError(
                    _("'%(value)s' kommt doppelt vor (schon in Zeile %(first)s).")
                    % {"value": shown, "first": first_row[identity]},
                    sheet.title,
                    row["_row"],
                    sheet.columns[column],
                )
            )
        else:
            first_row[identity] = row["_row"]
