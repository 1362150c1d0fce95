"""What changed between two report snapshots: the pure diff behind the summary page."""

import copy
import json

import pytest

from reports.changes import snapshot_changes


def _goal(goal_id, text, **fields):
    return {
        "id": goal_id,
        "category": "",
        "text": text,
        "target": "bis Ende 2020",
        "target_date": "2020-12-31",
        "target_open_ended": False,
        "status": "offen",
        "status_label": "offen",
        "progress_note": "",
        "overdue": False,
        **fields,
    }


def _rating(kind, label, level):
    return {"kind": kind, "label": label, "level": level, "level_label": level}


def _measure(number, title, *, status="geplant", goals=(), kpis=()):
    return {
        "number": number,
        "title": title,
        "description": "",
        "status": status,
        "status_label": {"geplant": "geplant", "in_umsetzung": "in Umsetzung"}.get(status, status),
        "responsible_units": "",
        "ratings": [
            _rating("cost", "Kosten", "mittel"),
            _rating("personnel", "Personal", "gering"),
            _rating("timeframe", "Zeitraum", "mittelfristig"),
            _rating("quick_win", "Quickwin", "nein"),
        ],
        "goals": list(goals),
        "kpis": list(kpis),
    }


def _snapshot(ds_number="1-20", report_date="2020-03-01"):
    return {
        "report": {"title": "Anhang", "ds_number": ds_number, "report_date": report_date},
        "groups": [
            {
                "number": 1,
                "numeral": "I",
                "name": "AG I",
                "measures": [
                    _measure(
                        "1.1",
                        "E-Akte",
                        goals=[_goal(11, "Konzept fertig"), _goal(12, "Pilot starten")],
                        kpis=[
                            {
                                "id": 7,
                                "name": "Standorte",
                                "unit": "Stück",
                                "target": "",
                                "target_value": None,
                                "target_date": None,
                                "values": [{"date": "2019-12-31", "value": "3", "note": ""}],
                            }
                        ],
                    ),
                    _measure("1.2", "Telearbeit", status="in_umsetzung"),
                ],
            },
            {
                "number": 2,
                "numeral": "II",
                "name": "AG II",
                "measures": [_measure("2.1", "Lernen")],
            },
        ],
    }


def _in(snapshot, number):
    return next(
        measure
        for group in snapshot["groups"]
        for measure in group["measures"]
        if measure["number"] == number
    )


def change_status(snapshot):
    _in(snapshot, "1.1").update(status="in_umsetzung", status_label="in Umsetzung")


def change_rating(snapshot):
    _in(snapshot, "1.2")["ratings"][2].update(level="langfristig", level_label="langfristig")


def reach_goal(snapshot):
    _in(snapshot, "1.1")["goals"][0].update(status="erreicht", status_label="erreicht")


def add_goal(snapshot):
    _in(snapshot, "2.1")["goals"].append(_goal(30, "Lernplattform"))


def remove_goal(snapshot):
    del _in(snapshot, "1.1")["goals"][1]


def note_progress(snapshot):
    _in(snapshot, "1.1")["goals"][1]["progress_note"] = "Pilot in FB 11"


def add_kpi_value(snapshot):
    _in(snapshot, "1.1")["kpis"][0]["values"].append(
        {"date": "2020-02-29", "value": "12.5", "note": ""}
    )


def add_measure(snapshot):
    snapshot["groups"][1]["measures"].append(_measure("2.2", "Cloud"))


def remove_measure(snapshot):
    del snapshot["groups"][0]["measures"][1]


def _changed(changes, number):
    return next(measure for measure in changes["measures"] if measure["number"] == number)


@pytest.mark.parametrize(
    "change, number, expected",
    [
        (
            change_status,
            "1.1",
            {
                "status": {
                    "before": "geplant",
                    "after": "in_umsetzung",
                    "before_label": "geplant",
                    "after_label": "in Umsetzung",
                }
            },
        ),
        (
            change_rating,
            "1.2",
            {
                "ratings": [
                    {
                        "kind": "timeframe",
                        "label": "Zeitraum",
                        "before": "mittelfristig",
                        "after": "langfristig",
                        "before_label": "mittelfristig",
                        "after_label": "langfristig",
                    }
                ]
            },
        ),
        (
            reach_goal,
            "1.1",
            {
                "goals": [
                    {
                        "change": "changed",
                        "category": "",
                        "text": "Konzept fertig",
                        "status": "erreicht",
                        "status_label": "erreicht",
                        "target": "bis Ende 2020",
                        "fields": [
                            {
                                "field": "status",
                                "before": "offen",
                                "after": "erreicht",
                                "before_value": "offen",
                                "after_value": "erreicht",
                            }
                        ],
                    }
                ]
            },
        ),
        (
            add_goal,
            "2.1",
            {
                "goals": [
                    {
                        "change": "added",
                        "category": "",
                        "text": "Lernplattform",
                        "status": "offen",
                        "status_label": "offen",
                        "target": "bis Ende 2020",
                        "fields": [],
                    }
                ]
            },
        ),
        (
            remove_goal,
            "1.1",
            {
                "goals": [
                    {
                        "change": "removed",
                        "category": "",
                        "text": "Pilot starten",
                        "status": "offen",
                        "status_label": "offen",
                        "target": "bis Ende 2020",
                        "fields": [],
                    }
                ]
            },
        ),
        (
            note_progress,
            "1.1",
            {
                "goals": [
                    {
                        "change": "changed",
                        "category": "",
                        "text": "Pilot starten",
                        "status": "offen",
                        "status_label": "offen",
                        "target": "bis Ende 2020",
                        "fields": [
                            {
                                "field": "progress_note",
                                "before": "",
                                "after": "Pilot in FB 11",
                                "before_value": "",
                                "after_value": "Pilot in FB 11",
                            }
                        ],
                    }
                ]
            },
        ),
        (
            add_kpi_value,
            "1.1",
            {
                "kpi_values": [
                    {
                        "kpi": "Standorte",
                        "unit": "Stück",
                        "date": "2020-02-29",
                        "value": "12.5",
                        "before": None,
                        "corrected": False,
                    }
                ]
            },
        ),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_one_change_is_reported_on_its_measure_and_nowhere_else(change, number, expected):
    previous = _snapshot()
    current = copy.deepcopy(previous)
    change(current)
    changes = snapshot_changes(previous, current)
    assert [measure["number"] for measure in changes["measures"]] == [number]
    measure = _changed(changes, number)
    nothing = {"status": None, "ratings": [], "goals": [], "kpi_values": []}
    assert {key: measure[key] for key in nothing} == {**nothing, **expected}
    assert changes["unchanged"] == [n for n in ("1.1", "1.2", "2.1") if n != number]
    assert changes["measures_added"] == changes["measures_removed"] == []


def test_added_and_removed_measures_are_listed_not_diffed():
    previous = _snapshot()
    current = copy.deepcopy(previous)
    add_measure(current)
    remove_measure(current)
    changes = snapshot_changes(previous, current)
    assert changes["measures_added"] == [{"number": "2.2", "title": "Cloud"}]
    assert changes["measures_removed"] == [{"number": "1.2", "title": "Telearbeit"}]
    assert changes["measures"] == []
    assert changes["unchanged"] == ["1.1", "2.1"]


def test_status_counts_and_goal_counts_now_and_before():
    previous = _snapshot()
    current = copy.deepcopy(previous)
    change_status(current)
    reach_goal(current)
    _in(current, "1.1")["goals"][1]["overdue"] = True
    changes = snapshot_changes(previous, current)
    counts = {row["status"]: (row["now"], row["before"]) for row in changes["status_counts"]}
    assert counts == {
        "geplant": (1, 2),
        "in_umsetzung": (2, 1),
        "abgeschlossen": (0, 0),
        "zurueckgestellt": (0, 0),
    }
    assert changes["goals"] == {
        "now": {"reached": 1, "overdue": 1, "total": 2},
        "before": {"reached": 0, "overdue": 0, "total": 2},
    }
    assert changes["previous"] == previous["report"]
    assert changes["first_report"] is False


def test_first_report_gives_counts_only():
    current = _snapshot()
    changes = snapshot_changes(None, current)
    assert changes["first_report"] is True and changes["previous"] is None
    assert all(row["before"] is None for row in changes["status_counts"])
    assert {row["status"]: row["now"] for row in changes["status_counts"]}["geplant"] == 2
    assert changes["goals"] == {"now": {"reached": 0, "overdue": 0, "total": 2}, "before": None}
    assert changes["measures"] == changes["unchanged"] == changes["measures_added"] == []


def test_corrected_kpi_value_is_reported_with_the_old_value():
    previous = _snapshot()
    current = copy.deepcopy(previous)
    _in(current, "1.1")["kpis"][0]["values"][0]["value"] = "4"
    (value,) = _changed(snapshot_changes(previous, current), "1.1")["kpi_values"]
    assert (value["date"], value["before"], value["value"], value["corrected"]) == (
        "2019-12-31",
        "3",
        "4",
        True,
    )


def test_goals_of_snapshots_without_ids_are_matched_by_text_then_position():
    previous = _snapshot()
    for snapshot in (previous,):
        for goal in _in(snapshot, "1.1")["goals"]:
            del goal["id"]
    current = copy.deepcopy(previous)
    _in(current, "1.1")["goals"][1]["text"] = "Pilot in zwei Fachbereichen starten"
    (goal,) = _changed(snapshot_changes(previous, current), "1.1")["goals"]
    assert goal["change"] == "changed"
    assert goal["fields"][0]["field"] == "text"
    assert goal["fields"][0]["before"] == "Pilot starten"


def test_a_reworded_goal_with_its_id_is_one_change_not_a_removal_and_an_addition():
    previous = _snapshot()
    current = copy.deepcopy(previous)
    goals = _in(current, "1.1")["goals"]
    goals.reverse()
    goals[0]["text"] = "Pilot in zwei Fachbereichen starten"
    (goal,) = _changed(snapshot_changes(previous, current), "1.1")["goals"]
    assert goal["change"] == "changed" and goal["text"] == "Pilot in zwei Fachbereichen starten"


def test_only_groups_in_both_reports_are_compared():
    previous = _snapshot()
    previous["groups"] = previous["groups"][1:]
    current = _snapshot()
    change_status(current)
    changes = snapshot_changes(previous, current)
    assert changes["groups_not_compared"] == ["I"]
    assert changes["measures"] == changes["measures_added"] == []
    assert changes["unchanged"] == ["2.1"]


def test_changes_are_plain_json_and_ignore_the_previous_reports_own_changes():
    previous = _snapshot()
    previous["changes"] = snapshot_changes(None, previous)
    current = copy.deepcopy(previous)
    add_kpi_value(current)
    changes = snapshot_changes(previous, current)
    assert json.loads(json.dumps(changes)) == changes
    assert [measure["number"] for measure in changes["measures"]] == ["1.1"]
