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
- KPI values are measurements: values a sheet leaves out, and the values of a KPI the sheet
  drops, are kept unless the admin consents to deleting them (`guarded`, counted per measure).
  A KPI row with the export's "Schlüssel" matches that KPI whatever its name, so a rename
  renames (and value rows with the old name follow it).

Files from an export carry each measure's version. A measure that changed since (someone
else's ChangeRecords after that version) and that the file would change is a `conflict`:
it is skipped unless the admin applies it anyway. `based_on` keeps the version of every
measure the file mentions, so the apply can refuse when anything it touches moved since the
preview.

The plan holds the operations for `measures_apply_bulk` and a JSON preview with field-level
differences; its fingerprints tell for which measures the planned operations changed between
preview and apply.
"""

import copy
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kpis.models import KPI, KPIValue
from masterplan.models import Programme
from masterplan.numbers import format_decimal
from masterplan.services import legend_scales, ratings_from_estimates
from measures.models import ChangeRecord, Goal, GoalStatus, Measure, MeasureStatus
from measures.services import MEASURE_FIELDS, plain_value

from .columns import GOALS, KINDS, KPIS, MEASURES, VALUES, column_names, defaults, record_fields
from .errors import RowError
from .rows import Rows

CREATE, UPDATE, DELETE, UNCHANGED = "create", "update", "delete", "unchanged"
# The fields an import writes, and what a new record gets for an optional column the file
# leaves blank or out, from the column table (`transfer.columns`).
MEASURE_DEFAULTS = defaults(MEASURES)
GOAL_KEYS = record_fields(GOALS)
GOAL_DEFAULTS = defaults(GOALS)
KPI_KEYS = record_fields(KPIS)
KPI_DEFAULTS = defaults(KPIS)
PREVIEW_ITEM_LIMIT = 50
CONFLICT_CHANGES_LIMIT = 20


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
        return date_format(value, "SHORT_DATE_FORMAT")
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
    # Creates, updates and deletes per measure number, so skipped measures can be taken out.
    tally: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # Deletions that take KPI values with them, only applied with consent: the KPIs (as
    # unchanged items) and values (items) that stay without it, and how many per measure.
    kept_kpis: dict[str, list[dict]] = field(default_factory=dict)
    kept_values: dict[str, list[dict]] = field(default_factory=dict)
    guarded: dict[str, dict[str, int]] = field(default_factory=dict)
    # Version of every existing measure the file mentions, when it was planned.
    based_on: dict[str, int] = field(default_factory=dict)
    # Measures changed since the file's version that the file would change.
    conflicts: dict[str, dict] = field(default_factory=dict)

    @property
    def changes_anything(self) -> bool:
        return any(
            counts[action] for counts in self.counts.values() for action in (CREATE, UPDATE, DELETE)
        )

    def count(self, kind: str, action: str, number: str, amount: int = 1) -> None:
        self.counts[kind][action] += amount
        if action != UNCHANGED:
            tally = self.tally.setdefault(number, {}).setdefault(kind, {})
            tally[action] = tally.get(action, 0) + amount

    def guard(self, number: str, *, kpis: int = 0, values: int = 0) -> None:
        guarded = self.guarded.setdefault(number, {KPIS: 0, VALUES: 0})
        guarded[KPIS] += kpis
        guarded[VALUES] += values

    def guarded_total(self) -> dict[str, int]:
        return {kind: sum(item[kind] for item in self.guarded.values()) for kind in (KPIS, VALUES)}

    def touched_numbers(self) -> set[str]:
        """Existing measures the plan changes (created ones are not in `based_on`)."""
        numbers = set(self.updates) | set(self.goals) | set(self.kpis) | set(self.values)
        return numbers & set(self.based_on)

    def fingerprints(self) -> dict[str, str]:
        """Per measure the plan changes: a digest of its operations, so the apply can tell
        which measures' operations differ from the preview's."""
        operations: dict[str, dict] = defaultdict(dict)
        for data in self.creates:
            operations[data["number"]]["create"] = data
        for name in ("updates", "goals", "kpis", "values", "kept_kpis", "kept_values"):
            for number, items in getattr(self, name).items():
                operations[number][name] = items
        return {
            number: hashlib.sha256(
                json.dumps(items, sort_keys=True, default=plain_value).encode()
            ).hexdigest()[:20]
            for number, items in operations.items()
        }

    def operations(self, *, skip: set[str] = frozenset(), delete_kpi_values: bool = False) -> dict:
        """What to apply: without the skipped measures; deletions of KPI values only with
        consent (else the KPIs and values the file leaves out are kept as they are)."""

        def without_skipped(items: dict) -> dict:
            return {number: value for number, value in items.items() if number not in skip}

        kpis, values = without_skipped(self.kpis), without_skipped(self.values)
        if not delete_kpi_values:
            kpis = {
                number: [*items, *self.kept_kpis.get(number, [])] for number, items in kpis.items()
            }
            values = {
                number: [*items, *self.kept_values.get(number, [])]
                for number, items in values.items()
            }
        return {
            "creates": [data for data in self.creates if data["number"] not in skip],
            "updates": without_skipped(self.updates),
            "goals": without_skipped(self.goals),
            "kpis": kpis,
            "values": values,
        }

    def applied_counts(self, *, skip: set[str] = frozenset(), delete_kpi_values: bool) -> dict:
        counts = copy.deepcopy(self.counts)
        for number in skip:
            for kind, actions in self.tally.get(number, {}).items():
                for action, amount in actions.items():
                    counts[kind][action] -= amount
        if not delete_kpi_values:
            for number, guarded in self.guarded.items():
                if number in skip:
                    continue
                for kind, amount in guarded.items():
                    counts[kind][DELETE] -= amount
                    counts[kind][UNCHANGED] += amount
        return counts

    def preview(self) -> dict:
        """Plain JSON for the preview page and the import log."""
        entries = [self.entries[number] for number in sorted(self.entries, key=number_key)]
        for number, conflict in self.conflicts.items():
            self.entries[number]["conflict"] = conflict
        for number, guarded in self.guarded.items():
            if number in self.entries:
                self.entries[number]["guarded"] = guarded
        return {
            "counts": self.counts,
            "measures": entries,
            "fingerprints": self.fingerprints(),
            "based_on": self.based_on,
            "conflicts": sorted(self.conflicts, key=number_key),
            "guarded": self.guarded_total(),
        }

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
        if entry["action"] == CREATE and kind == "values":
            # New values are listed with their numbers, so a misread number shows.
            entry.setdefault("added", {}).setdefault(kind, 0)
            entry["added"][kind] += 1
            if len(entry[kind]) < PREVIEW_ITEM_LIMIT:
                entry[kind].append(change)
        elif entry["action"] == CREATE:
            entry.setdefault("added", {}).setdefault(kind, 0)
            entry["added"][kind] += 1
        elif len(entry[kind]) < PREVIEW_ITEM_LIMIT:
            entry[kind].append(change)


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
    kpis_after = _plan_kpis(rows, existing, by_id, set(file_numbers), plan)
    if rows.has(VALUES):
        _plan_values(rows, existing, kpis_after, set(file_numbers), plan)
    for number, entry in plan.entries.items():
        if not entry["title"] and number in existing:
            entry["title"] = existing[number].title
    _note_versions(rows, existing, plan)
    return plan


def _file_versions(rows: Rows) -> dict[str, int]:
    """The oldest version each measure has in the file (blank: no check)."""
    versions: dict[str, int] = {}
    for kind in KINDS:
        number_key_name = "number" if kind == MEASURES else "measure"
        for row in rows.rows.get(kind, []):
            version = row.get("version")
            number = row.get(number_key_name)
            if version is not None and number:
                versions[number] = min(version, versions.get(number, version))
    return versions


def _note_versions(rows: Rows, existing: dict[str, Measure], plan: Plan) -> None:
    mentioned = {row.get("number") for row in rows.rows.get(MEASURES, [])}
    for kind in (GOALS, KPIS, VALUES):
        mentioned |= {row.get("measure") for row in rows.rows.get(kind, [])}
    mentioned |= set(plan.entries)
    plan.based_on = {
        number: existing[number].version for number in sorted(mentioned & set(existing))
    }
    stale = {
        number: version
        for number, version in _file_versions(rows).items()
        if number in plan.entries
        and number in existing
        and plan.entries[number]["action"] == UPDATE
        and existing[number].version > version
    }
    if not stale:
        return
    records = defaultdict(list)
    ids = {existing[number].pk: number for number in stale}
    for record in (
        ChangeRecord.objects.filter(measure_id__in=list(ids))
        .defer("state")
        .select_related("changed_by")
        .order_by("measure_id", "measure_version", "id")
    ):
        number = ids[record.measure_id]
        if record.measure_version > stale[number]:
            records[number].append(change_summary(record))
    for number, version in stale.items():
        plan.conflicts[number] = {
            "file_version": version,
            "version": existing[number].version,
            "changes": records[number][-CONFLICT_CHANGES_LIMIT:],
        }


def _field_label(key: str) -> str:
    if key == "goals":
        return _("Ziele")
    if key == "kpis":
        return _("Kennzahlen und Werte")
    return column_names(MEASURES).get(key, key)


def change_summary(record: ChangeRecord) -> dict:
    """A ChangeRecord as plain JSON for a preview: when, by whom, which fields."""
    user = record.changed_by
    if user is not None:
        who = user.get_full_name() or user.get_username()
    else:
        who = str(record.get_source_display())
    return {
        "version": record.measure_version,
        "at": date_format(timezone.localtime(record.changed_at), "SHORT_DATETIME_FORMAT"),
        "by": who,
        "source": str(record.get_source_display()),
        "fields": [_field_label(key) for key in record.diff] or [str(record.get_action_display())],
    }


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
    groups = {group.pk: group for group in programme.working_groups.all()}
    for row in rows.rows[MEASURES]:
        number = row["number"]
        given = {key: value for key, value in row.items() if key in MEASURE_FIELDS}
        if given.get("status") is None:
            given.pop("status", None)
        current = existing.get(number)
        if current is None:
            data = {**MEASURE_DEFAULTS, **given}
            data.update(ratings_from_estimates(scales=scales, estimates=data))
            plan.creates.append(data)
            plan.count(MEASURES, CREATE, number)
            entry = plan._entry(number, data["title"])
            entry["action"] = CREATE
            continue
        before = {key: getattr(current, key) for key in MEASURE_FIELDS if key != "working_group"}
        before["working_group"] = current.working_group_id
        after = {**before, **given}
        after.update(ratings_from_estimates(scales=scales, estimates=after))
        after["working_group"] = getattr(after["working_group"], "pk", after["working_group"])
        changed = {key: after[key] for key in MEASURE_FIELDS if after[key] != before[key]}
        if not changed:
            plan.count(MEASURES, UNCHANGED, number)
            continue
        plan.count(MEASURES, UPDATE, number)
        if "working_group" in changed:
            changed["working_group"] = row["working_group"]
        plan.updates[number] = changed
        entry = plan._entry(number, after["title"])
        for key, value in changed.items():
            old = before[key]
            if key == "working_group":
                old = groups.get(old)
            entry["fields"][headers[key]] = [
                _shown(MEASURES, key, old),
                _shown(MEASURES, key, value),
            ]


def _shown(kind: str, key: str, value) -> str:
    """A value as the preview shows it: statuses by their label, numbers and dates German."""
    if key == "status" and value:
        choices = MeasureStatus if kind == MEASURES else GoalStatus
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)
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
                changes += _note_added(plan, GOALS, number, items, item, item["text"])
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
            plan.count(GOALS, DELETE, number)
            changes += 1
            plan.note_item("goals", number, {"action": "removed", "label": _label(goal.text)})
        if changes:
            plan.goals[number] = items


def _note_added(plan: Plan, kind, number, items: list[dict], item: dict, label: str) -> int:
    """Adds a new goal or KPI row to the measure's list and notes it; returns 1 (a change)."""
    items.append(item)
    plan.count(kind, CREATE, number)
    plan.note_item(kind, number, {"action": "added", "label": _label(label)})
    return 1


def _note_update(plan: Plan, kind, number, label, current, item, keys, headers) -> int:
    """Counts a goal or KPI row as updated (noting its field diff) or unchanged; returns 1 if
    it changes anything."""
    diff = {
        headers[key]: [_shown(kind, key, getattr(current, key)), _shown(kind, key, item[key])]
        for key in keys
        if getattr(current, key) != item[key]
    }
    if not diff:
        plan.count(kind, UNCHANGED, number)
        return 0
    plan.count(kind, UPDATE, number)
    plan.note_item(kind, number, {"action": "changed", "label": label, "fields": diff})
    return 1


@dataclass
class KpisAfter:
    """Per measure: the KPI names after the import, KPI id → its name after the import (None
    when it goes), and old name → new name of renamed KPIs."""

    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_id: dict[str, dict[int, str | None]] = field(default_factory=lambda: defaultdict(dict))
    renamed: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))


def _kpi_item(kpi: KPI) -> dict:
    return {"id": kpi.pk, **{key: getattr(kpi, key) for key in KPI_KEYS}}


def _plan_kpis(rows, existing, by_id, file_numbers, plan: Plan) -> KpisAfter:
    """Plans the KPI sheet; returns what the KPIs of each measure will be afterwards."""
    after = KpisAfter()
    current_kpis: dict[str, list[KPI]] = defaultdict(list)
    value_counts = dict(
        KPIValue.objects.filter(kpi__measure__in=existing.values())
        .values_list("kpi_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    for kpi in KPI.objects.filter(measure__in=existing.values()).order_by(
        "measure_id", "order", "id"
    ):
        number = by_id[kpi.measure_id]
        current_kpis[number].append(kpi)
        after.names[number].add(kpi.name)
        after.by_id[number][kpi.pk] = kpi.name
    if not rows.has(KPIS):
        return after
    sheet = rows.sheets[KPIS]
    headers = column_names(KPIS)
    file_kpis = _rows_by_measure(rows.rows[KPIS])
    for number in _scope(rows, KPIS, file_numbers):
        by_key = {kpi.pk: kpi for kpi in current_kpis.get(number, [])}
        by_name = {kpi.name: kpi for kpi in current_kpis.get(number, [])}
        leftover = dict(by_key)
        claimed: dict[int, int] = {}
        for row in file_kpis.get(number, []):
            key = row.get("key")
            if key not in by_key:
                continue  # a key of another measure or of a KPI deleted since: match by name
            if key in claimed:
                plan.errors.append(
                    RowError(
                        _("Der Schlüssel %(key)s steht schon in Zeile %(first)s.")
                        % {"key": key, "first": claimed[key]},
                        sheet.title,
                        row["_row"],
                        sheet.columns["key"],
                    )
                )
                continue
            claimed[key] = row["_row"]
        after.names[number] = set()
        items, changes = [], 0
        for position, row in enumerate(file_kpis.get(number, []), start=1):
            current = None
            key = row.get("key")
            if key in by_key and claimed.get(key) == row["_row"]:
                current = by_key[key]
            else:
                candidate = by_name.get(row["name"])
                if candidate is not None and candidate.pk not in claimed:
                    current = candidate
            if current is not None:
                if current.pk not in leftover:
                    current = None  # already taken by an earlier row
                else:
                    claimed[current.pk] = row["_row"]
                    del leftover[current.pk]
            after.names[number].add(row["name"])
            item = {"name": row["name"]}
            order = row.get("order")
            item["order"] = order if order is not None else (current.order if current else position)
            for name in ("unit", "target", "target_value", "target_date"):
                if name in row:
                    item[name] = row[name] if row[name] is not None else KPI_DEFAULTS[name]
                else:
                    item[name] = getattr(current, name) if current else KPI_DEFAULTS[name]
            if current is None:
                changes += _note_added(plan, KPIS, number, items, item, item["name"])
                continue
            item["id"] = current.pk
            after.by_id[number][current.pk] = item["name"]
            if current.name != item["name"]:
                after.renamed[number][current.name] = item["name"]
            items.append(item)
            changes += _note_update(
                plan, KPIS, number, _label(item["name"]), current, item, KPI_KEYS, headers
            )
        for kpi in leftover.values():
            if value_counts.get(kpi.pk) and kpi.name in after.names[number]:
                # Kept (its values need consent to go), it would clash with the row taking
                # its name.
                plan.errors.append(
                    RowError(
                        _(
                            "Die Kennzahl '%(name)s' fehlt in der Datei, hat aber Werte; eine "
                            "andere Zeile übernimmt ihren Namen. Bitte die Kennzahl mit ihrem "
                            "Schlüssel aufführen oder die andere Zeile anders benennen."
                        )
                        % {"name": kpi.name},
                        sheet.title,
                        None,
                        sheet.columns["name"],
                    )
                )
            after.by_id[number][kpi.pk] = None
            plan.count(KPIS, DELETE, number)
            changes += 1
            count = value_counts.get(kpi.pk, 0)
            change = {"action": "removed", "label": _label(kpi.name)}
            if count:
                # Its values would go with it: only with consent.
                change["value_count"] = count
                change["guarded"] = True
                plan.count(VALUES, DELETE, number, count)
                plan.guard(number, kpis=1, values=count)
                plan.kept_kpis.setdefault(number, []).append(_kpi_item(kpi))
            plan.note_item("kpis", number, change)
        if changes:
            plan.kpis[number] = items
    return after


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


def _value_item(name: str, value: KPIValue) -> dict:
    return {"kpi": name, "date": value.date, "value": value.value, "note": value.note}


def _plan_values(rows, existing, kpis_after: KpisAfter, file_numbers, plan: Plan) -> None:
    sheet = rows.sheets[VALUES]
    current: dict[str, list[KPIValue]] = defaultdict(list)
    by_id = {measure.pk: number for number, measure in existing.items()}
    for value in KPIValue.objects.filter(kpi__measure__in=existing.values()).select_related("kpi"):
        current[by_id[value.kpi.measure_id]].append(value)
    file_values = _rows_by_measure(rows.rows[VALUES])
    kpis = _kpis_by_name(existing)
    for number in _scope(rows, VALUES, file_numbers):
        names = kpis_after.names.get(number, set())
        renamed = kpis_after.renamed.get(number, {})
        new_names = kpis_after.by_id.get(number, {})
        # Values of KPIs that stay, by their name after the import; values of KPIs that go
        # are counted with those KPIs and only kept when there is no consent.
        leftover: dict[tuple[str, date], KPIValue] = {}
        going: list[dict] = []
        for value in current.get(number, []):
            name = new_names.get(value.kpi_id)
            if name is None:
                going.append(_value_item(value.kpi.name, value))
            else:
                leftover[(name, value.date)] = value
        items, changes = [], 0
        for row in file_values.get(number, []):
            name = row["kpi"]
            if name not in names and name in renamed:
                name = renamed[name]  # a value row of the old export follows the renamed KPI
            if name not in names:
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
            if not _value_is_valid(row, kpis.get((number, name)), sheet, plan):
                continue
            existing_value = leftover.pop((name, row["date"]), None)
            item = {
                "kpi": name,
                "date": row["date"],
                "value": row["value"],
                "note": row["note"] if "note" in row else getattr(existing_value, "note", ""),
            }
            items.append(item)
            label = f"{_label(name)} {display(row['date'])}"
            if existing_value is None:
                plan.count(VALUES, CREATE, number)
                changes += 1
                plan.note_item(
                    "values",
                    number,
                    {"action": "added", "label": label, "value": display(item["value"])},
                )
            elif existing_value.value != item["value"] or existing_value.note != item["note"]:
                plan.count(VALUES, UPDATE, number)
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
                plan.count(VALUES, UNCHANGED, number)
        kept = [_value_item(name, value) for (name, _day), value in leftover.items()]
        for (name, day), value in leftover.items():
            plan.count(VALUES, DELETE, number)
            plan.guard(number, values=1)
            changes += 1
            plan.note_item(
                "values",
                number,
                {
                    "action": "removed",
                    "label": f"{_label(name)} {display(day)}",
                    "value": display(value.value),
                    "guarded": True,
                },
            )
        if kept or going:
            plan.kept_values[number] = kept + going
        if changes:
            plan.values[number] = items
