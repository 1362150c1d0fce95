"""From validated rows to a plan: what an import creates, changes and leaves alone.

Matching, so that re-importing an edited file updates instead of duplicating:
- measures by number; goals by measure number + order ("Reihenfolge", or the row's position
  among the measure's goals when blank); KPIs by measure number + name; KPI values by measure
  number + KPI name + date.

What a sheet leaves out:
- Measures missing from the file are left alone: an import never deletes a measure.
- A sheet of goals, KPIs or KPI values is the complete list for the measures it covers: the
  measures of the "Maßnahmen" sheet when the file has one, plus every measure its own rows
  name. Goals (KPIs, values) of those measures that the sheet lacks are deleted. A file
  without such a sheet leaves that kind untouched.
- A column missing from a sheet leaves that field as it is (new records get the default).

The plan holds the operations for `measures_apply_bulk` and a JSON preview with field-level
differences; its fingerprint tells whether the database changed between preview and apply.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kpis.models import KPI, KPIValue
from masterplan.models import Programme
from masterplan.numbers import format_decimal
from masterplan.services import ESTIMATE_FIELD_BY_KIND, legend_scales
from measures.models import Goal, GoalStatus, Measure, MeasureStatus
from measures.services import MEASURE_FIELDS, RATING_FIELD_BY_KIND

from .workbook import GOALS, KPIS, MEASURES, VALUES, RowError, Rows, column_names

CREATE, UPDATE, DELETE, UNCHANGED = "create", "update", "delete", "unchanged"
MEASURE_DEFAULTS = {
    "description": "",
    "status": MeasureStatus.PLANNED,
    "responsible_units": "",
    "cost_rating": "",
    "personnel_rating": "",
    "timeframe_rating": "",
    "quick_win": "",
    "cost_estimate": None,
    "personnel_estimate": None,
    "duration_estimate": None,
}
GOAL_KEYS = ("category", "order", "text", "target", "status", "progress_note")
GOAL_DEFAULTS = {"category": "", "target": "", "status": GoalStatus.OPEN, "progress_note": ""}
KPI_KEYS = ("order", "name", "unit", "target")
KPI_DEFAULTS = {"unit": "", "target": ""}
PREVIEW_ITEM_LIMIT = 50


def number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def display(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "numeral"):
        return value.numeral
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _counter() -> dict[str, int]:
    return {CREATE: 0, UPDATE: 0, DELETE: 0, UNCHANGED: 0}


@dataclass
class Plan:
    creates: list[dict] = field(default_factory=list)
    updates: dict[str, dict] = field(default_factory=dict)
    goals: dict[str, list[dict]] = field(default_factory=dict)
    kpis: dict[str, list[dict]] = field(default_factory=dict)
    values: dict[str, list[dict]] = field(default_factory=dict)
    entries: dict[str, dict] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: _counter() for kind in (MEASURES, GOALS, KPIS, VALUES)}
    )
    errors: list[RowError] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return any(
            counts[action] for counts in self.counts.values() for action in (CREATE, UPDATE, DELETE)
        )

    def fingerprint(self) -> str:
        operations = {
            "creates": self.creates,
            "updates": self.updates,
            "goals": self.goals,
            "kpis": self.kpis,
            "values": self.values,
        }
        encoded = json.dumps(operations, sort_keys=True, default=display).encode()
        return hashlib.sha256(encoded).hexdigest()

    def preview(self) -> dict:
        """Plain JSON for the preview page and the import log."""
        entries = [self.entries[number] for number in sorted(self.entries, key=number_key)]
        return {"counts": self.counts, "measures": entries, "fingerprint": self.fingerprint()}

    def _entry(self, number: str, title: str = "") -> dict:
        if number not in self.entries:
            self.entries[number] = {
                "number": number,
                "title": title,
                "action": UPDATE,
                "fields": {},
                "goals": [],
                "kpis": [],
                "values": [],
            }
        return self.entries[number]

    def note_item(self, kind: str, number: str, change: dict) -> None:
        entry = self._entry(number)
        if entry["action"] == CREATE:
            entry.setdefault("added", {}).setdefault(kind, 0)
            entry["added"][kind] += 1
        elif len(entry[kind]) < PREVIEW_ITEM_LIMIT:
            entry[kind].append(change)


def _derive_ratings(values: dict, scales: dict) -> None:
    for kind, estimate_field in ESTIMATE_FIELD_BY_KIND.items():
        estimate = values.get(estimate_field)
        scale = scales.get(kind)
        if estimate is None or scale is None or not scale.levels.all():
            continue
        values[RATING_FIELD_BY_KIND[kind]] = scale.level_for(Decimal(estimate))


def _label(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 80 else text[:79] + "…"


def build_plan(*, programme: Programme, rows: Rows) -> Plan:
    plan = Plan(errors=list(rows.errors))
    existing = {measure.number: measure for measure in Measure.objects.filter(programme=programme)}
    file_numbers = [row["number"] for row in rows.rows.get(MEASURES, [])]
    known_numbers = set(existing) | set(file_numbers)
    _check_measure_references(rows, known_numbers, plan)
    if rows.has(MEASURES):
        _plan_measures(programme, rows, existing, plan)
    # Measures each child sheet covers: the measures sheet's plus those its rows name.
    by_id = {measure.pk: number for number, measure in existing.items()}
    if rows.has(GOALS):
        _plan_goals(rows, existing, by_id, set(file_numbers), plan)
    surviving_kpis = _plan_kpis(rows, existing, by_id, set(file_numbers), plan)
    if rows.has(VALUES):
        _plan_values(rows, existing, surviving_kpis, set(file_numbers), plan)
    for number, entry in plan.entries.items():
        if not entry["title"] and number in existing:
            entry["title"] = existing[number].title
    return plan


def _check_measure_references(rows: Rows, known_numbers: set[str], plan: Plan) -> None:
    for kind in (GOALS, KPIS, VALUES):
        if not rows.has(kind):
            continue
        sheet = rows.sheets[kind]
        valid = []
        for row in rows.rows[kind]:
            if row["measure"] in known_numbers:
                valid.append(row)
                continue
            plan.errors.append(
                RowError(
                    _("Die Maßnahme '%(number)s' gibt es weder in der Datei noch im Programm.")
                    % {"number": row["measure"]},
                    sheet.title,
                    row["_row"],
                    sheet.columns["measure"],
                )
            )
        rows.rows[kind] = valid


def _plan_measures(programme, rows: Rows, existing: dict[str, Measure], plan: Plan) -> None:
    scales = legend_scales(programme=programme)
    headers = column_names(MEASURES)
    counts = plan.counts[MEASURES]
    groups = {group.pk: group for group in programme.working_groups.all()}
    for row in rows.rows[MEASURES]:
        number = row["number"]
        given = {key: value for key, value in row.items() if key in MEASURE_FIELDS}
        if given.get("status") is None:
            given.pop("status", None)
        current = existing.get(number)
        if current is None:
            data = {**MEASURE_DEFAULTS, **given}
            _derive_ratings(data, scales)
            plan.creates.append(data)
            counts[CREATE] += 1
            entry = plan._entry(number, data["title"])
            entry["action"] = CREATE
            continue
        before = {key: getattr(current, key) for key in MEASURE_FIELDS if key != "working_group"}
        before["working_group"] = current.working_group_id
        after = {**before, **given}
        _derive_ratings(after, scales)
        after["working_group"] = getattr(after["working_group"], "pk", after["working_group"])
        changed = {key: after[key] for key in MEASURE_FIELDS if after[key] != before[key]}
        if not changed:
            counts[UNCHANGED] += 1
            continue
        counts[UPDATE] += 1
        if "working_group" in changed:
            changed["working_group"] = row["working_group"]
        plan.updates[number] = changed
        entry = plan._entry(number, after["title"])
        for key, value in changed.items():
            old = before[key]
            if key == "working_group":
                old = groups.get(old)
            entry["fields"][headers[key]] = [_shown(key, old), _shown(key, value)]


def _shown(key: str, value) -> str:
    if key == "status" and value:
        return str(MeasureStatus(value).label)
    return display(value)


def _rows_by_measure(rows: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["measure"]].append(row)
    return grouped


def _scope(rows: Rows, kind: str, file_numbers: set[str]) -> list[str]:
    numbers = {row["measure"] for row in rows.rows[kind]} | file_numbers
    return sorted(numbers, key=number_key)


def _plan_goals(rows, existing, by_id, file_numbers, plan: Plan) -> None:
    sheet = rows.sheets[GOALS]
    headers = column_names(GOALS)
    counts = plan.counts[GOALS]
    current_goals: dict[str, list[Goal]] = defaultdict(list)
    for goal in Goal.objects.filter(measure__in=existing.values()).order_by(
        "measure_id", "order", "id"
    ):
        current_goals[by_id[goal.measure_id]].append(goal)
    file_goals = _rows_by_measure(rows.rows[GOALS])
    for number in _scope(rows, GOALS, file_numbers):
        by_order: dict[int, Goal] = {}
        for goal in current_goals.get(number, []):
            by_order.setdefault(goal.order, goal)
        leftover = {goal.pk: goal for goal in current_goals.get(number, [])}
        items, changes, seen = [], 0, {}
        for position, row in enumerate(file_goals.get(number, []), start=1):
            order = row.get("order")
            order = position if order is None else order
            if order in seen:
                plan.errors.append(
                    RowError(
                        _(
                            "Maßnahme %(number)s hat schon ein Ziel mit Reihenfolge "
                            "%(order)s (Zeile %(first)s)."
                        )
                        % {"number": number, "order": order, "first": seen[order]},
                        sheet.title,
                        row["_row"],
                        sheet.columns.get("order", sheet.columns["text"]),
                    )
                )
                continue
            seen[order] = row["_row"]
            current = by_order.pop(order, None)
            item = {"order": order}
            for key in GOAL_KEYS:
                if key == "order":
                    continue
                if row.get(key) is not None and key in row:
                    item[key] = row[key]
                else:
                    item[key] = getattr(current, key) if current else GOAL_DEFAULTS[key]
            if current is None:
                items.append(item)
                counts[CREATE] += 1
                changes += 1
                plan.note_item("goals", number, {"action": "added", "label": _label(item["text"])})
                continue
            leftover.pop(current.pk)
            item["id"] = current.pk
            if item["target"] == current.target:
                item["target_date"] = current.target_date
                item["target_open_ended"] = current.target_open_ended
            items.append(item)
            changes += _note_update(
                plan, GOALS, number, _label(item["text"]), current, item, GOAL_KEYS, headers
            )
        for goal in leftover.values():
            counts[DELETE] += 1
            changes += 1
            plan.note_item("goals", number, {"action": "removed", "label": _label(goal.text)})
        if changes:
            plan.goals[number] = items


def _note_update(plan: Plan, kind, number, label, current, item, keys, headers) -> int:
    """Counts a goal or KPI row as updated (noting its field diff) or unchanged; returns 1 if
    it changes anything."""
    diff = {
        headers[key]: [display(getattr(current, key)), display(item[key])]
        for key in keys
        if getattr(current, key) != item[key]
    }
    if not diff:
        plan.counts[kind][UNCHANGED] += 1
        return 0
    plan.counts[kind][UPDATE] += 1
    plan.note_item(kind, number, {"action": "changed", "label": label, "fields": diff})
    return 1


def _plan_kpis(rows, existing, by_id, file_numbers, plan: Plan) -> dict[str, set[str]]:
    """Plans the KPI sheet; returns the KPI names each measure will have afterwards."""
    names: dict[str, set[str]] = defaultdict(set)
    current_kpis: dict[str, list[KPI]] = defaultdict(list)
    for kpi in KPI.objects.filter(measure__in=existing.values()).order_by(
        "measure_id", "order", "id"
    ):
        current_kpis[by_id[kpi.measure_id]].append(kpi)
        names[by_id[kpi.measure_id]].add(kpi.name)
    if not rows.has(KPIS):
        return names
    headers = column_names(KPIS)
    counts = plan.counts[KPIS]
    file_kpis = _rows_by_measure(rows.rows[KPIS])
    for number in _scope(rows, KPIS, file_numbers):
        leftover = {kpi.name: kpi for kpi in current_kpis.get(number, [])}
        names[number] = set()
        items, changes = [], 0
        for position, row in enumerate(file_kpis.get(number, []), start=1):
            current = leftover.pop(row["name"], None)
            names[number].add(row["name"])
            item = {"name": row["name"]}
            order = row.get("order")
            item["order"] = order if order is not None else (current.order if current else position)
            for key in ("unit", "target"):
                item[key] = row[key] if key in row else (getattr(current, key) if current else "")
            if current is None:
                items.append(item)
                counts[CREATE] += 1
                changes += 1
                plan.note_item("kpis", number, {"action": "added", "label": _label(item["name"])})
                continue
            item["id"] = current.pk
            items.append(item)
            changes += _note_update(
                plan, KPIS, number, _label(item["name"]), current, item, KPI_KEYS, headers
            )
        for kpi in leftover.values():
            counts[DELETE] += 1
            changes += 1
            plan.note_item("kpis", number, {"action": "removed", "label": _label(kpi.name)})
        if changes:
            plan.kpis[number] = items
    return names


def _kpis_by_name(existing: dict[str, Measure]) -> dict[tuple[str, str], KPI]:
    kpis = KPI.objects.filter(measure__in=existing.values()).select_related("measure")
    return {(kpi.measure.number, kpi.name): kpi for kpi in kpis}


def _value_is_valid(row: dict, kpi: KPI | None, sheet, plan: Plan) -> bool:
    """The rules of a KPI value (`KPIValue.clean`: not in the future, not negative unless the
    KPI allows it) as row errors. A KPI new in this file has the defaults."""
    kpi = kpi or KPI(name=row["kpi"])
    try:
        KPIValue(kpi=kpi, date=row["date"], value=row["value"]).clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                plan.errors.append(
                    RowError(message, sheet.title, row["_row"], sheet.columns[field])
                )
        return False
    return True


def _plan_values(rows, existing, kpi_names, file_numbers, plan: Plan) -> None:
    sheet = rows.sheets[VALUES]
    counts = plan.counts[VALUES]
    current: dict[str, dict[tuple[str, date], KPIValue]] = defaultdict(dict)
    for value in KPIValue.objects.filter(kpi__measure__in=existing.values()).select_related(
        "kpi__measure"
    ):
        current[value.kpi.measure.number][(value.kpi.name, value.date)] = value
    file_values = _rows_by_measure(rows.rows[VALUES])
    kpis = _kpis_by_name(existing)
    for number in _scope(rows, VALUES, file_numbers):
        leftover = {
            key: value
            for key, value in current.get(number, {}).items()
            if key[0] in kpi_names.get(number, set())
        }
        items, changes = [], 0
        for row in file_values.get(number, []):
            if row["kpi"] not in kpi_names.get(number, set()):
                plan.errors.append(
                    RowError(
                        _("Die Kennzahl '%(name)s' gibt es bei Maßnahme %(number)s nicht.")
                        % {"name": row["kpi"], "number": number},
                        sheet.title,
                        row["_row"],
                        sheet.columns["kpi"],
                    )
                )
                continue
            if not _value_is_valid(row, kpis.get((number, row["kpi"])), sheet, plan):
                continue
            existing_value = leftover.pop((row["kpi"], row["date"]), None)
            item = {
                "kpi": row["kpi"],
                "date": row["date"],
                "value": row["value"],
                "note": row["note"] if "note" in row else getattr(existing_value, "note", ""),
            }
            items.append(item)
            label = f"{_label(row['kpi'])} {display(row['date'])}"
            if existing_value is None:
                counts[CREATE] += 1
                changes += 1
                plan.note_item("values", number, {"action": "added", "label": label})
            elif existing_value.value != item["value"] or existing_value.note != item["note"]:
                counts[UPDATE] += 1
                changes += 1
                fields = {}
                if existing_value.value != item["value"]:
                    fields[_("Wert")] = [display(existing_value.value), display(item["value"])]
                if existing_value.note != item["note"]:
                    fields[_("Bemerkung")] = [existing_value.note, item["note"]]
                plan.note_item(
                    "values", number, {"action": "changed", "label": label, "fields": fields}
                )
            else:
                counts[UNCHANGED] += 1
        for (name, day), _value in leftover.items():
            counts[DELETE] += 1
            changes += 1
            plan.note_item(
                "values", number, {"action": "removed", "label": f"{_label(name)} {display(day)}"}
            )
        if changes:
            plan.values[number] = items
