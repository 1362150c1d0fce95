"""What changed between two frozen report snapshots.

A pure function of two snapshots (the format of `reports.snapshot`): no database, so a report's
summary page is computed once when the report is frozen and stored in its snapshot
(`snapshot["changes"]`), and an old report re-renders with exactly the summary it had.

Matching: measures by number; goals and KPIs by their database id where both snapshots have
one, else goals by category and text, KPIs by name; a goal left unmatched at the same position
on both sides counts as one goal with a changed text rather than one removed and one added.
Only working groups present in both snapshots are compared (a report on groups I–IV after one on
group IV alone compares group IV and says which groups it could not compare).
"""

from collections import Counter

from measures.models import GoalStatus, MeasureStatus

CHANGES_VERSION = 1

GOAL_FIELDS = ("status", "target", "progress_note", "text")


def _measures_by_number(snapshot: dict, group_numbers: set[int]) -> dict[str, dict]:
    return {
        measure["number"]: measure
        for group in snapshot["groups"]
        if group["number"] in group_numbers
        for measure in group["measures"]
    }


def _status_counts(
    current: dict[str, dict], previous: dict[str, dict] | None
) -> list[dict[str, object]]:
    """One row per measure status, in the order of the status choices, unknown ones last."""
    now = Counter(measure["status"] for measure in current.values())
    before = Counter(measure["status"] for measure in (previous or {}).values())
    labels = {status: str(label) for status, label in MeasureStatus.choices}
    for measure in [*(previous or {}).values(), *current.values()]:
        labels[measure["status"]] = measure["status_label"]
    order = list(MeasureStatus.values)
    order += sorted(status for status in labels if status not in order)
    return [
        {
            "status": status,
            "label": labels[status],
            "now": now[status],
            "before": before[status] if previous is not None else None,
        }
        for status in order
        if status in MeasureStatus.values or now[status] or before[status]
    ]


def _goal_counts(measures: dict[str, dict]) -> dict[str, int]:
    goals = [goal for measure in measures.values() for goal in measure["goals"]]
    return {
        "reached": sum(goal["status"] == GoalStatus.REACHED for goal in goals),
        "overdue": sum(bool(goal["overdue"]) for goal in goals),
        "total": len(goals),
    }


def _pair(before: list[dict], after: list[dict], natural_key) -> tuple[list, list, list]:
    """(pairs, removed, added) of two lists of goals or KPIs.

    By id when every item on both sides has one (snapshots since ids were frozen), else by
    the natural key, with the positional fallback for what is left over.
    """
    by_id = all(item.get("id") is not None for item in [*before, *after])

    def key(item):
        return item["id"] if by_id else natural_key(item)

    pairs, removed = [], []
    unmatched_after = list(range(len(after)))
    keys_after: dict = {}
    for index in unmatched_after:
        keys_after.setdefault(key(after[index]), []).append(index)
    leftover_before = []
    for index, item in enumerate(before):
        candidates = keys_after.get(key(item))
        if candidates:
            match = candidates.pop(0)
            unmatched_after.remove(match)
            pairs.append((item, after[match]))
        else:
            leftover_before.append(index)
    for index in leftover_before:
        if index in unmatched_after and not by_id:
            unmatched_after.remove(index)
            pairs.append((before[index], after[index]))
        else:
            removed.append(before[index])
    added = [after[index] for index in unmatched_after]
    return pairs, removed, added


def _goal_key(goal: dict):
    return (goal["category"], goal["text"])


def _kpi_key(kpi: dict):
    return kpi["name"]


def _goal_summary(goal: dict) -> dict:
    return {
        "category": goal["category"],
        "text": goal["text"],
        "status": goal["status"],
        "status_label": goal["status_label"],
        "target": goal["target"],
    }


def _goal_changes(before: list[dict], after: list[dict]) -> list[dict]:
    pairs, removed, added = _pair(before, after, _goal_key)
    changes = []
    for old, new in pairs:
        fields = []
        for field in GOAL_FIELDS:
            if old[field] != new[field]:
                label_field = "status_label" if field == "status" else field
                fields.append(
                    {
                        "field": field,
                        "before": old[label_field],
                        "after": new[label_field],
                        "before_value": old[field],
                        "after_value": new[field],
                    }
                )
        if fields:
            changes.append({"change": "changed", **_goal_summary(new), "fields": fields})
    changes += [{"change": "added", **_goal_summary(goal), "fields": []} for goal in added]
    changes += [{"change": "removed", **_goal_summary(goal), "fields": []} for goal in removed]
    return changes


def _kpi_value_changes(before: list[dict], after: list[dict]) -> list[dict]:
    """Values of the current snapshot with a date the previous one lacked, or a corrected value."""
    pairs, _removed, added = _pair(before, after, _kpi_key)
    pairs += [({"values": []}, kpi) for kpi in added]
    changes = []
    for old, new in pairs:
        known = {value["date"]: value["value"] for value in old["values"]}
        for value in new["values"]:
            if value["date"] in known and known[value["date"]] == value["value"]:
                continue
            changes.append(
                {
                    "kpi": new["name"],
                    "unit": new["unit"],
                    "date": value["date"],
                    "value": value["value"],
                    "before": known.get(value["date"]),
                    "corrected": value["date"] in known,
                }
            )
    return changes


def _measure_changes(old: dict, new: dict) -> dict:
    status = None
    if old["status"] != new["status"]:
        status = {
            "before": old["status"],
            "after": new["status"],
            "before_label": old["status_label"],
            "after_label": new["status_label"],
        }
    old_ratings = {rating["kind"]: rating for rating in old["ratings"]}
    ratings = [
        {
            "kind": rating["kind"],
            "label": rating["label"],
            "before": old_ratings.get(rating["kind"], {}).get("level", ""),
            "after": rating["level"],
            "before_label": old_ratings.get(rating["kind"], {}).get("level_label", ""),
            "after_label": rating["level_label"],
        }
        for rating in new["ratings"]
        if old_ratings.get(rating["kind"], {}).get("level", "") != rating["level"]
    ]
    return {
        "number": new["number"],
        "title": new["title"],
        "status": status,
        "ratings": ratings,
        "goals": _goal_changes(old["goals"], new["goals"]),
        "kpi_values": _kpi_value_changes(old["kpis"], new["kpis"]),
    }


def _has_changes(measure: dict) -> bool:
    return bool(
        measure["status"] or measure["ratings"] or measure["goals"] or measure["kpi_values"]
    )


def snapshot_changes(previous: dict | None, current: dict) -> dict:
    """What moved from `previous` to `current`, as plain JSON for the report's snapshot.

    With no previous snapshot ("first report"), only the counts of `current` are given and
    every "before" is None.
    """
    current_groups = {group["number"]: group["numeral"] for group in current["groups"]}
    if previous is None:
        compared = set(current_groups)
    else:
        compared = current_groups.keys() & {group["number"] for group in previous["groups"]}
    now = _measures_by_number(current, compared)
    before = _measures_by_number(previous, compared) if previous is not None else None
    result = {
        "version": CHANGES_VERSION,
        "first_report": previous is None,
        "previous": dict(previous["report"]) if previous is not None else None,
        "groups_not_compared": [
            current_groups[number] for number in sorted(current_groups.keys() - compared)
        ],
        "status_counts": _status_counts(now, before),
        "goals": {
            "now": _goal_counts(now),
            "before": _goal_counts(before) if before is not None else None,
        },
        "measures": [],
        "measures_added": [],
        "measures_removed": [],
        "unchanged": [],
    }
    if before is None:
        return result
    for number, measure in now.items():
        if number not in before:
            result["measures_added"].append({"number": number, "title": measure["title"]})
            continue
        changes = _measure_changes(before[number], measure)
        if _has_changes(changes):
            result["measures"].append(changes)
        else:
            result["unchanged"].append(number)
    result["measures_removed"] = [
        {"number": number, "title": measure["title"]}
        for number, measure in before.items()
        if number not in now
    ]
    return result
