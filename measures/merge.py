"""Three-way merge of a stale edit: apply only what this editor changed on top of the current state.

The edit page keeps the state it was loaded with (the base). When someone else saved in the
meantime, the editor's own changes are the differences between the base and what they post;
the other person's are the differences between the base and the current state. Both apply
unless the same value was changed by both to different values (an overlap), which the
editor decides explicitly.

Values are compared in plain form (`plain`): strings with normalised line endings, numbers
without trailing zeros, dates as ISO strings, model instances as their key.
"""

from dataclasses import dataclass, field
from typing import Any

from .services import plain_value


def plain(value: Any) -> Any:
    value = plain_value(value)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def plain_snapshot(snapshot: dict) -> dict:
    """A snapshot ({"measure": {...}, list name: [items]}) in plain, JSON-ready form."""
    return {
        key: (
            [{name: plain(value) for name, value in item.items()} for item in items]
            if isinstance(items, list)
            else {name: plain(value) for name, value in items.items()}
        )
        for key, items in snapshot.items()
    }


@dataclass(frozen=True)
class Overlap:
    key: str  # "title", "goals:12:text", "goals:12:removed", "kpis:order"
    list_name: str  # "" for a field of the measure
    item_id: int | None
    field: str
    mine: Any
    theirs: Any


@dataclass
class MergeResult:
    measure: dict  # the measure's fields to save
    lists: dict[str, list[dict]]  # each child list to save, in order
    overlaps: list[Overlap] = field(default_factory=list)
    # What the others changed: {"title": new value} and {(list, id): {field: new value}}.
    theirs_changed: dict = field(default_factory=dict)


def _merge_fields(
    base: dict,
    mine: dict,
    theirs: dict,
    names,
    key_prefix: str,
    result,
    *,
    list_name: str = "",
    item_id=None,
    keep_mine=frozenset(),
) -> tuple[dict, dict]:
    merged, changed_by_them = {}, {}
    for name in names:
        b, m, t = base.get(name), mine.get(name), theirs.get(name)
        mine_changed, theirs_changed = plain(m) != b, plain(t) != b
        if theirs_changed:
            changed_by_them[name] = t
        key = f"{key_prefix}{name}"
        if mine_changed and theirs_changed and plain(m) != plain(t) and key not in keep_mine:
            result.overlaps.append(Overlap(key, list_name, item_id, name, m, t))
        merged[name] = m if mine_changed else t
    return merged, changed_by_them


def _item_changed(base_item: dict, item: dict, names) -> bool:
    return any(plain(item.get(name)) != base_item.get(name) for name in names)


def _merge_list(
    name: str, base: list[dict], mine: list[dict], theirs: list[dict], result, keep_mine
) -> list[dict]:
    # The fields the form edits; a base from the history may hold more.
    names = [key for item in (*mine, *theirs) for key in item if key not in ("id", "order")]
    names = list(dict.fromkeys(names))
    base_by_id = {item["id"]: item for item in base if item.get("id")}
    mine_by_id = {item["id"]: item for item in mine if item.get("id")}
    theirs_by_id = {item["id"]: item for item in theirs if item.get("id")}
    base_ids = [item["id"] for item in base if item.get("id")]

    def reordered(items: list[dict]) -> bool:
        ids = [item["id"] for item in items if item.get("id") in base_by_id]
        return ids != [pk for pk in base_ids if pk in set(ids)]

    mine_reordered, theirs_reordered = reordered(mine), reordered(theirs)
    if mine_reordered and theirs_reordered:
        mine_ids = [i["id"] for i in mine if i.get("id") in theirs_by_id]
        theirs_ids = [i["id"] for i in theirs if i.get("id") in mine_by_id]
        if mine_ids != theirs_ids and f"{name}:order" not in keep_mine:
            result.overlaps.append(Overlap(f"{name}:order", name, None, "order", None, None))
    if mine_reordered:
        sequence = [*mine, *(item for item in theirs if item.get("id") not in base_by_id)]
    else:
        sequence = [*theirs, *(item for item in mine if not item.get("id"))]
    # Rows only one side still has (removed by the other) are decided below, like the rest.
    listed = {item.get("id") for item in sequence}
    sequence += [item for item in (*mine, *theirs) if item.get("id") not in listed]
    merged: list[dict] = []
    seen: set = set()
    for item in sequence:
        pk = item.get("id")
        if not pk:
            merged.append(dict(item))  # new rows of mine
            continue
        if pk in seen:
            continue
        seen.add(pk)
        in_base, in_mine, in_theirs = pk in base_by_id, pk in mine_by_id, pk in theirs_by_id
        key = f"{name}:{pk}:"
        if not in_base:
            if in_theirs:  # added by them (or unknown to the base): theirs, with my edits
                merged.append({**theirs_by_id[pk], **(mine_by_id.get(pk) or {})})
            continue
        if not in_mine and in_theirs:  # I removed it
            changed = _item_changed(base_by_id[pk], theirs_by_id[pk], names)
            if changed and f"{key}removed" not in keep_mine:
                result.overlaps.append(
                    Overlap(f"{key}removed", name, pk, "removed", None, theirs_by_id[pk])
                )
                merged.append(dict(theirs_by_id[pk]))
            continue
        if in_mine and not in_theirs:  # they removed it
            if _item_changed(base_by_id[pk], mine_by_id[pk], names):
                if f"{key}removed" not in keep_mine:
                    result.overlaps.append(
                        Overlap(f"{key}removed", name, pk, "removed", mine_by_id[pk], None)
                    )
                else:  # I keep my row: it comes back as a new one
                    merged.append({k: v for k, v in mine_by_id[pk].items() if k != "id"})
            continue
        if not in_mine and not in_theirs:
            continue
        fields, theirs_fields = _merge_fields(
            base_by_id[pk], mine_by_id[pk], theirs_by_id[pk], names, key, result,
            list_name=name, item_id=pk, keep_mine=keep_mine,
        )  # fmt: skip
        if theirs_fields:
            result.theirs_changed[(name, pk)] = theirs_fields
        merged.append({"id": pk, **fields})
    for position, item in enumerate(merged, start=1):
        item["order"] = position
    return merged


def merge_edit(*, base: dict, mine: dict, theirs: dict, keep_mine=frozenset()) -> MergeResult:
    """Merge the editor's changes (`mine` against `base`) into the current state (`theirs`).

    `base` is plain (as kept in the form), `mine` and `theirs` hold form values; each is
    {"measure": {field: value}, list name: [items with "id" for existing rows]}. Overlaps
    whose key is in `keep_mine` are settled in favour of the editor.
    """
    result = MergeResult(measure={}, lists={})
    names = list(mine.get("measure", {}))
    result.measure, theirs_fields = _merge_fields(
        base.get("measure", {}), mine.get("measure", {}), theirs.get("measure", {}), names, "",
        result, keep_mine=keep_mine,
    )  # fmt: skip
    result.theirs_changed.update(theirs_fields)
    for name in mine:
        if name == "measure":
            continue
        result.lists[name] = _merge_list(
            name, base.get(name, []), mine[name], theirs.get(name, []), result, keep_mine
        )
    return result
