"""measures.merge: the editor's own changes (against the loaded base) on top of the current."""

from decimal import Decimal

from measures.merge import merge_edit, plain_snapshot


def goal(pk, text, note="", order=0):
    item = {"text": text, "progress_note": note, "order": order}
    return {"id": pk, **item} if pk else item


BASE = {
    "measure": {"title": "Alt", "cost_estimate": Decimal("1000.00")},
    "goals": [goal(1, "Eins", order=1), goal(2, "Zwei", order=2), goal(3, "Drei", order=3)],
}


def merge(mine: dict, theirs: dict, keep=()):
    return merge_edit(
        base=plain_snapshot(BASE),
        mine={**BASE, **mine},
        theirs={**BASE, **theirs},
        keep_mine=frozenset(keep),
    )


def texts(items):
    return [(item.get("id"), item["text"], item["progress_note"]) for item in items]


def test_different_fields_both_arrive():
    result = merge(
        {"measure": {"title": "Neu", "cost_estimate": Decimal("1000")}},
        {"measure": {"title": "Alt", "cost_estimate": Decimal("2000")}},
    )
    assert result.measure == {"title": "Neu", "cost_estimate": Decimal("2000")}
    assert not result.overlaps
    assert result.theirs_changed == {"cost_estimate": Decimal("2000")}


def test_the_same_new_value_is_no_overlap_a_different_one_is():
    same = merge(
        {"measure": {**BASE["measure"], "title": "Neu"}},
        {"measure": {**BASE["measure"], "title": "Neu"}},
    )
    assert not same.overlaps
    different = merge(
        {"measure": {**BASE["measure"], "title": "Meins"}},
        {"measure": {**BASE["measure"], "title": "Deins"}},
    )
    assert [o.key for o in different.overlaps] == ["title"]
    decided = merge(
        {"measure": {**BASE["measure"], "title": "Meins"}},
        {"measure": {**BASE["measure"], "title": "Deins"}},
        keep=["title"],
    )
    assert not decided.overlaps and decided.measure["title"] == "Meins"


def test_line_endings_alone_are_no_change():
    result = merge(
        {"goals": [goal(1, "Eins\r\nmehr"), goal(2, "Zwei"), goal(3, "Drei")]},
        {"goals": [goal(1, "Eins\nmehr"), goal(2, "Zwei"), goal(3, "Drei")]},
    )
    assert not result.overlaps


def test_goal_rows_changed_added_and_removed_by_both():
    result = merge(
        {"goals": [goal(1, "Eins", "meins"), goal(3, "Drei"), goal(None, "Neu von mir")]},
        {"goals": [goal(1, "Eins"), goal(2, "Zwei"), goal(3, "Drei", "deins"), goal(9, "Neu")]},
    )
    assert not result.overlaps
    assert texts(result.lists["goals"]) == [
        (1, "Eins", "meins"),
        (3, "Drei", "deins"),
        (9, "Neu", ""),
        (None, "Neu von mir", ""),
    ]
    assert [item["order"] for item in result.lists["goals"]] == [1, 2, 3, 4]


def test_a_row_removed_by_one_and_changed_by_the_other_is_an_overlap():
    mine_removed = merge(
        {"goals": [goal(1, "Eins"), goal(3, "Drei")]},
        {"goals": [goal(1, "Eins"), goal(2, "Zwei", "deins"), goal(3, "Drei")]},
    )
    assert [o.key for o in mine_removed.overlaps] == ["goals:2:removed"]
    theirs_removed = merge(
        {"goals": [goal(1, "Eins"), goal(2, "Zwei", "meins"), goal(3, "Drei")]},
        {"goals": [goal(1, "Eins"), goal(3, "Drei")]},
    )
    assert [o.key for o in theirs_removed.overlaps] == ["goals:2:removed"]


def test_my_new_order_with_their_field_change():
    result = merge(
        {"goals": [goal(3, "Drei"), goal(1, "Eins"), goal(2, "Zwei")]},
        {"goals": [goal(1, "Eins"), goal(2, "Zwei", "deins"), goal(3, "Drei")]},
    )
    assert not result.overlaps
    assert texts(result.lists["goals"]) == [(3, "Drei", ""), (1, "Eins", ""), (2, "Zwei", "deins")]


def test_two_different_new_orders_are_an_overlap():
    result = merge(
        {"goals": [goal(3, "Drei"), goal(1, "Eins"), goal(2, "Zwei")]},
        {"goals": [goal(2, "Zwei"), goal(1, "Eins"), goal(3, "Drei")]},
    )
    assert [o.key for o in result.overlaps] == ["goals:order"]


def test_a_row_i_removed_and_they_changed_is_an_overlap_even_when_i_reordered():
    result = merge(
        {"goals": [goal(3, "Drei"), goal(1, "Eins")]},
        {"goals": [goal(1, "Eins"), goal(2, "Zwei", "deins"), goal(3, "Drei")]},
    )
    assert [o.key for o in result.overlaps] == ["goals:2:removed"]


def test_rows_removed_by_one_side_and_untouched_by_the_other_go():
    result = merge(
        {"goals": [goal(3, "Drei"), goal(1, "Eins")]},
        {"goals": [goal(2, "Zwei"), goal(3, "Drei")]},
    )
    assert not result.overlaps
    assert [item["id"] for item in result.lists["goals"]] == [3]
