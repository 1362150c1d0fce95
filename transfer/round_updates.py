"""A round's status updates as one spreadsheet: exported, filled offline, imported back.

One row per measure (Maßnahme, Titel, Ampel, Begründung, Sachstand, Nächste Schritte,
Entscheidungsbedarf, Fortschritt in %, Status, Version). The import reads the file with the
bounded reader (`sources.read_tables`), checks every row (`round_updates_check`) and applies
all rows through `rounds.services.update_save` / `update_transition` in one transaction
(`round_updates_apply`): any error refuses the whole file and changes nothing.

A row "acts" when it changes the update's content or, with "als eingereicht", when its update
can be submitted; rows that act must belong to the uploader's working groups, to an editable
update, and carry the update's current version (the stale check). Rows that change nothing are
skipped, so exporting and importing a sheet unchanged changes nothing.
"""

import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from masterplan.roles import is_admin, is_editor_of
from measures.models import TrafficLight
from measures.text import normalize_text
from rounds.models import EDITABLE_UPDATE_STATES, ReportingRound, StatusUpdate
from rounds.services import UpdateConflict, update_save, update_transition

from .cells import CellError, cell_text, read_number
from .errors import ErrorCollector, FileRefused, RowError
from .formulas import protect
from .sources import FormulaWithoutValue, read_tables
from .vocabularies import word

TEXT_FIELDS = ("traffic_light_reason", "achieved", "next_steps", "decision_needed")
CONTENT_FIELDS = ("traffic_light", *TEXT_FIELDS, "progress_percent")


def columns() -> list[tuple[str, str]]:
    """(key, German header) in the sheet's order."""
    return [
        ("number", _("Maßnahme")),
        ("title", _("Titel")),
        ("traffic_light", _("Ampel")),
        ("traffic_light_reason", _("Begründung")),
        ("achieved", _("Sachstand")),
        ("next_steps", _("Nächste Schritte")),
        ("decision_needed", _("Entscheidungsbedarf")),
        ("progress_percent", _("Fortschritt in %")),
        ("state", _("Status")),
        ("version", _("Version")),
    ]


WIDTHS = {
    "number": 10,
    "title": 45,
    "traffic_light": 16,
    "traffic_light_reason": 40,
    "achieved": 60,
    "next_steps": 50,
    "decision_needed": 40,
    "progress_percent": 14,
    "state": 16,
    "version": 9,
}


def max_rows() -> int:
    return getattr(settings, "ROUND_IMPORT_MAX_ROWS", 1000)


def max_bytes() -> int:
    return getattr(settings, "ROUND_IMPORT_MAX_BYTES", 2 * 1024 * 1024)


def sheet_name() -> str:
    return _("Meldungen")


def _updates(round_: ReportingRound, working_group=None):
    updates = StatusUpdate.objects.filter(round=round_).select_related(
        "measure__working_group", "round"
    )
    if working_group is not None:
        updates = updates.filter(measure__working_group=working_group)
    return updates.order_by("measure__number_major", "measure__number_minor")


# --- Export -----------------------------------------------------------------------------------


def _cell(value):
    if isinstance(value, str):
        return protect(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def round_updates_export(*, round: ReportingRound, working_group=None) -> bytes:
    """The round's updates (optionally one working group's) as an XLSX workbook."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name()
    keys = [key for key, _header in columns()]
    sheet.append([header for _key, header in columns()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for update in _updates(round, working_group):
        sheet.append(
            [
                _cell(update.measure.number),
                _cell(update.measure.title),
                _cell(update.get_traffic_light_display() if update.traffic_light else ""),
                *(_cell(getattr(update, name)) for name in TEXT_FIELDS),
                update.progress_percent,
                _cell(str(update.get_state_display())),
                update.version,
            ]
        )
    last_row = sheet.max_row + 200
    number_letter = get_column_letter(keys.index("number") + 1)
    for (cell,) in sheet.iter_rows(
        min_row=2, max_row=last_row, min_col=1, max_col=1
    ):  # text: "1.10" must not become 1.1
        cell.number_format = "@"
    sheet.column_dimensions[number_letter].number_format = "@"
    for position, key in enumerate(keys, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = WIDTHS[key]
    light_letter = get_column_letter(keys.index("traffic_light") + 1)
    labels = ",".join(str(label) for label in TrafficLight.labels)
    validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
    validation.error = _("Bitte eine Ampel aus der Liste wählen.")
    validation.add(f"{light_letter}2:{light_letter}{last_row}")
    sheet.add_data_validation(validation)
    progress_letter = get_column_letter(keys.index("progress_percent") + 1)
    percent = DataValidation(type="whole", operator="between", formula1="0", formula2="100")
    percent.allow_blank = True
    percent.error = _("Der Fortschritt ist eine ganze Zahl von 0 bis 100.")
    percent.add(f"{progress_letter}2:{progress_letter}{last_row}")
    sheet.add_data_validation(percent)
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading ----------------------------------------------------------------------------------


def _light_words() -> dict[str, str]:
    """Stored value, German and current-language label → the Ampel; case does not matter."""
    words = {}
    for language in ("de", translation.get_language() or "de"):
        with translation.override(language):
            for value, label in TrafficLight.choices:
                words[word(value)] = value
                words[word(value.replace("_", " "))] = value
                words[word(str(label))] = value
    return words


def _read_light(value: Any) -> str:
    text = word(cell_text(value))
    if not text:
        return ""
    words = _light_words()
    if text in words:
        return words[text]
    raise CellError(
        _("'%(value)s' ist keine Ampel (%(allowed)s)")
        % {
            "value": cell_text(value),
            "allowed": ", ".join(str(label) for label in TrafficLight.labels),
        }
    )


def _read_progress(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Der Fortschritt ist eine ganze Zahl von 0 bis 100."))
    if isinstance(value, int | float):
        number = value
    else:
        text = cell_text(value).removesuffix("%").strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise CellError(
                _("'%(value)s' ist kein Fortschritt; erlaubt ist eine ganze Zahl von 0 bis 100.")
                % {"value": cell_text(value)}
            ) from None
    if isinstance(number, float):
        if not number.is_integer():
            raise CellError(_("Der Fortschritt ist eine ganze Zahl von 0 bis 100."))
        number = int(number)
    if not 0 <= number <= 100:
        raise CellError(
            _("Der Fortschritt %(value)s liegt nicht zwischen 0 und 100.") % {"value": number}
        )
    return number


def _read_version(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = cell_text(value)
    if text.isdigit():
        return int(text)
    raise CellError(
        _("Die Version fehlt oder ist keine Zahl; bitte die exportierte Datei verwenden.")
    )


@dataclass
class RowChange:
    """What one row does to its measure's update."""

    update: StatusUpdate
    row: int
    version: int
    data: dict
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new)
    submit: bool = False


@dataclass
class Check:
    rows: list[RowChange]
    errors: list[RowError]
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _shown(name: str, value) -> str:
    if name == "traffic_light":
        return str(TrafficLight(value).label) if value else ""
    if value is None:
        return ""
    return str(value)


def _table(name: str, data: bytes):
    if len(data) > max_bytes():
        raise FileRefused(
            [
                RowError(
                    _(
                        "Die Datei ist größer als %(limit)s MB. Bitte nur die Meldungen einer "
                        "Runde hochladen (höchstens %(rows)s Zeilen)."
                    )
                    % {"limit": max_bytes() // (1024 * 1024), "rows": max_rows()}
                )
            ]
        )
    _format, tables = read_tables(name=name, data=data)
    wanted = word(sheet_name())
    tables = sorted(tables, key=lambda table: word(table.title) != wanted)
    if not tables:
        raise FileRefused([RowError(_("Die Datei enthält keine Tabelle."))])
    table = tables[0]
    if len(table.rows) > max_rows():
        raise FileRefused(
            [
                RowError(
                    _(
                        "Die Datei hat %(count)s Zeilen; eingelesen werden höchstens %(limit)s "
                        "Meldungen auf einmal. Bitte die Datei aufteilen, z. B. je Arbeitsgruppe."
                    )
                    % {"count": len(table.rows), "limit": max_rows()},
                    sheet=table.title,
                )
            ]
        )
    return table


def _header_keys(table) -> dict[str, int]:
    by_header = {word(header): key for key, header in columns()}
    with translation.override("de"):
        by_header.update({word(header): key for key, header in columns()})
    positions = {}
    for position, header in enumerate(table.headers):
        key = by_header.get(word(cell_text(header)))
        if key and key not in positions:
            positions[key] = position
    missing = [
        header
        for (key, header) in columns()
        if key in ("number", "version") and key not in positions
    ]
    if missing:
        raise FileRefused(
            [
                RowError(
                    _("Es fehlen die Spalten %(columns)s; bitte die exportierte Datei verwenden.")
                    % {"columns": ", ".join(missing)},
                    sheet=table.title,
                    row=table.header_row,
                )
            ]
        )
    return positions


def _may_edit_group(user, group) -> bool:
    return is_admin(user) or is_editor_of(user, group)


def round_updates_check(
    *, round: ReportingRound, name: str, data: bytes, by, submit: bool
) -> Check:
    """Every row read and checked; nothing saved. Raises FileRefused for an unreadable file."""
    table = _table(name, data)
    positions = _header_keys(table)
    headers = dict(columns())
    updates = {update.measure.number: update for update in _updates(round)}
    errors = ErrorCollector()
    rows: list[RowChange] = []
    seen: dict[str, int] = {}
    skipped = 0
    readers = {
        "number": read_number,
        "traffic_light": _read_light,
        "progress_percent": _read_progress,
        "version": _read_version,
        **dict.fromkeys(TEXT_FIELDS, cell_text),
    }
    for row_number, cells in table.rows:

        def error(message, key=None, row_number=row_number):
            errors.append(
                RowError(
                    message,
                    sheet=table.title,
                    row=row_number,
                    column=headers[key] if key else "",
                )
            )

        values = {}
        for key, position in positions.items():
            if key not in readers:
                continue
            raw = cells[position] if position < len(cells) else None
            if isinstance(raw, FormulaWithoutValue):
                error(_("Die Formel in %(cell)s hat keinen Wert.") % {"cell": raw.coordinate}, key)
                continue
            try:
                values[key] = readers[key](raw)
            except CellError as problem:
                error(str(problem), key)
        if "number" not in values:
            continue
        number = values["number"]
        update = updates.get(number)
        if update is None:
            error(
                _("Die Maßnahme %(number)s gehört nicht zu dieser Runde.") % {"number": number},
                "number",
            )
            continue
        if number in seen:
            error(
                _("Die Maßnahme %(number)s steht schon in Zeile %(row)s.")
                % {"number": number, "row": seen[number]},
                "number",
            )
            continue
        seen[number] = row_number
        data_ = {}
        changes = []
        for name_ in CONTENT_FIELDS:
            if name_ not in values:
                continue
            old = getattr(update, name_)
            new = values[name_]
            same = normalize_text(old or "").strip() == new if name_ in TEXT_FIELDS else old == new
            if not same:
                data_[name_] = new
                changes.append((headers[name_], _shown(name_, old), _shown(name_, new)))
        editable = update.state in EDITABLE_UPDATE_STATES and round.is_running
        acts = bool(changes) or (submit and editable)
        if not acts:
            skipped += 1
            continue
        row_errors = len(errors)
        if not _may_edit_group(by, update.measure.working_group):
            error(
                _(
                    "Die Maßnahme %(number)s gehört zur Arbeitsgruppe %(group)s; Sie dürfen "
                    "nur Meldungen Ihrer Arbeitsgruppen ändern."
                )
                % {"number": number, "group": update.measure.working_group.numeral},
                "number",
            )
        elif not editable:
            error(
                _(
                    "Die Meldung zu %(number)s ist „%(state)s“ (Runde „%(round)s“) und kann "
                    "nicht mehr geändert werden."
                )
                % {
                    "number": number,
                    "state": update.get_state_display(),
                    "round": round.get_state_display(),
                },
                "state",
            )
        elif "version" in values and values["version"] != update.version:
            error(
                _(
                    "Die Meldung zu %(number)s wurde seit dem Export geändert (Version "
                    "%(file)s in der Datei, jetzt %(now)s). Bitte neu exportieren."
                )
                % {"number": number, "file": values["version"], "now": update.version},
                "version",
            )
        if len(errors) > row_errors or "version" not in values:
            continue
        light = data_.get("traffic_light", update.traffic_light)
        reason = data_.get("traffic_light_reason", update.traffic_light_reason.strip())
        if light in TrafficLight.needing_reason() and not reason:
            error(
                _("Bei der Ampel „%(light)s“ ist eine Begründung nötig.")
                % {"light": TrafficLight(light).label},
                "traffic_light_reason",
            )
        if submit:
            if not light:
                error(_("Zum Einreichen fehlt die Ampel."), "traffic_light")
            if not data_.get("achieved", update.achieved.strip()):
                error(_("Zum Einreichen fehlt der Sachstand."), "achieved")
        rows.append(
            RowChange(
                update=update,
                row=row_number,
                version=values["version"],
                data=data_,
                changes=changes,
                submit=submit,
            )
        )
    return Check(rows=rows, errors=list(errors), skipped=skipped)


@transaction.atomic
def round_updates_apply(*, round: ReportingRound, name: str, data: bytes, by, submit: bool) -> int:
    """All rows saved (and submitted, if chosen), or none: raises FileRefused with the errors.

    Returns how many updates were changed or submitted."""
    check = round_updates_check(round=round, name=name, data=data, by=by, submit=submit)
    if not check.ok:
        raise FileRefused(check.errors)
    errors = []
    for row in check.rows:
        try:
            update = row.update
            version = row.version
            if row.data:
                update = update_save(update=update, data=row.data, expected_version=version, by=by)
                version = update.version
            if row.submit:
                update_transition(update=update, action="submit", by=by, expected_version=version)
        except UpdateConflict:
            errors.append(
                RowError(
                    _("Die Meldung wurde gerade von jemand anderem geändert."),
                    row=row.row,
                    column=_("Version"),
                )
            )
        except (ValidationError, PermissionDenied) as problem:
            messages = getattr(problem, "messages", None) or [str(problem)]
            errors.extend(RowError(message, row=row.row) for message in messages)
    if errors:
        raise FileRefused(errors)
    return len(check.rows)
