"""Writing the rows of a measure aggregate: the measure's own fields, and its child lists
(goals, KPIs) replaced by one generic function, for one measure or, in bulk, for many.

`measures.services` (single writes), `measures.bulk` (the import) and `measures.history`
(restore) all write through these functions, so a rule of the aggregate lives here once.
"""

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.models import KPI
from masterplan.services import legend_scales, ratings_from_estimates

from .models import Goal, Measure, group_prefix_error
from .targets import read_target
from .text import normalize_text, normalize_texts

CHUNK = 500

MEASURE_FIELDS = (
    "number",
    "working_group",
    "title",
    "description",
    "status",
    "responsible_units",
    "cost_rating",
    "personnel_rating",
    "timeframe_rating",
    "quick_win",
    "cost_estimate",
    "personnel_estimate",
    "duration_estimate",
)


def in_chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_new(model: type[models.Model], rows: Iterable[dict]) -> list[models.Model]:
    """Unsaved instances from {field attname: value}, as `model(**values)` would build them,
    through the positional arguments Django reads fastest (as `Model.from_db` does); a field
    left out gets its default."""
    fields = model._meta.concrete_fields
    names = {field.attname for field in fields}
    built = []
    for values in rows:
        if unknown := set(values) - names:
            raise TypeError(f"{model.__name__} has no fields {', '.join(sorted(unknown))}.")
        built.append(
            model(*[values[f.attname] if f.attname in values else f.get_default() for f in fields])
        )
    return built


def rows_insert(objs: list[models.Model]) -> list[models.Model]:
    """Save many new rows of one model at once, as `bulk_create` does, and return them with ids.

    PostgreSQL gets the rows through COPY: ids are taken from the table's sequence first, and
    the values are written as COPY text, which skips Django's building of one huge INSERT per
    batch (most of an import's time). Other databases (SQLite) use `bulk_create`. Either way
    `auto_now(_add)` fields are set on each object; generated columns (`GeneratedField`) are
    computed by the database and not read back.
    """
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=CHUNK)
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.generated]
    read_all = attrgetter(*(field.attname for field in fields))
    if len(fields) == 1:  # attrgetter of one name gives the value, not a tuple
        read_all = (lambda read_one: lambda obj: (read_one(obj),))(read_all)
    converters = [
        (position, converter)
        for position, field in enumerate(fields)
        if (converter := _copy_converter(field)) is not None
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        lines = []
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            values = list(read_all(obj))
            for position, converter in converters:
                values[position] = converter(obj, values[position])
            lines.append("\t".join(map(_copy_text, values)))
        lines.append("")
        table = connection.ops.quote_name(meta.db_table)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO("\n".join(lines)))
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def _copy_text(value) -> str:
    """One value in COPY's text format, as psycopg2 would send it in an INSERT."""
    if type(value) is not str:
        if value is None:
            return "\\N"
        if value is True or value is False:
            return "t" if value else "f"
        if isinstance(value, date):  # datetime too; aware ones carry their offset
            return value.isoformat()
        value = str(value)
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\n" in value or "\r" in value or "\t" in value:
        value = value.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return value


def _copy_converter(field) -> Callable[[models.Model, Any], Any] | None:
    """What turns a field's attribute into the value `bulk_create` would save, if not itself."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj, value: field.pre_save(obj, True)
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda obj, value: None if value is None else json.dumps(value, cls=encoder)
    if isinstance(field, models.DecimalField):
        return lambda obj, value: None if value is None else field.to_python(value)
    return None


def assign_fields(instance, data: dict, allowed: Iterable[str]) -> None:
    """Set the given fields; text as `normalize_text` spells it, whichever path it came by."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(instance, field, normalize_text(value))


def validate_working_group(measure: Measure) -> None:
    errors = {}
    if measure.working_group.programme_id != measure.programme_id:
        errors["working_group"] = _("Die Arbeitsgruppe gehört zu einem anderen Programm.")
    elif message := group_prefix_error(measure.number, measure.working_group):
        errors["number"] = message
    if errors:
        raise ValidationError(errors)


def derive_ratings(measure: Measure, scales: dict | None = None) -> None:
    """Set the ratings that follow from the measure's estimates (`ratings_from_estimates`);
    `scales` is the programme's legend, loaded once when many measures are saved."""
    if scales is None:
        scales = legend_scales(programme=measure.programme)
    estimates = {field: getattr(measure, field) for field in MEASURE_ESTIMATE_FIELDS}
    for field, level in ratings_from_estimates(scales=scales, estimates=estimates).items():
        setattr(measure, field, level)


MEASURE_ESTIMATE_FIELDS = ("cost_estimate", "personnel_estimate", "duration_estimate")


def measure_save_fields(
    *, measure: Measure, data: dict, allowed: Iterable[str] = MEASURE_FIELDS
) -> None:
    """Set, validate and save the measure's own fields (not its goals or KPIs)."""
    assign_fields(measure, data, allowed)
    derive_ratings(measure)
    measure.full_clean(exclude=["version"])
    validate_working_group(measure)
    measure.save()


# --- Child lists: goals and KPIs ---------------------------------------------------------------


def _read_goal_target(item: dict, current: Goal | None) -> None:
    if "target_date" not in item:
        reading = read_target(item.get("target", current.target if current else ""))
        item["target_date"], item["target_open_ended"] = reading.date, reading.open_ended


@dataclass(frozen=True)
class Children:
    """A list of records that hangs on a measure and is saved as a whole with it."""

    related_name: str  # Measure.<related_name>; also the key in the state and in form errors
    model: type[models.Model]
    fields: tuple[str, ...]
    noun: Any  # "Ziel", for the error about a foreign id
    unique_field: str | None = None  # unique per measure: a duplicate is refused by name
    complete: Callable[[dict, Any], None] | None = None  # fills derived values of an item


GOALS = Children(
    related_name="goals",
    model=Goal,
    fields=(
        "category",
        "order",
        "text",
        "target",
        "target_date",
        "target_open_ended",
        "status",
        "progress_note",
    ),
    noun=gettext_lazy("Ziel"),
    complete=_read_goal_target,
)
KPIS = Children(
    related_name="kpis",
    model=KPI,
    fields=(
        "order",
        "name",
        "unit",
        "target",
        "target_value",
        "target_date",
        "negative_allowed",
    ),
    noun=gettext_lazy("Kennzahl"),
    unique_field="name",
)


def children_replace(*, measure: Measure, kind: Children, items: list[dict]) -> None:
    """Make the measure's goals (or KPIs) the given list; items with an "id" update that row.

    Rows left out are deleted (KPIs with their values). Every item is validated first; errors
    are keyed "<kind>-<position>-<field>" as the formsets name them, and change nothing.
    Call inside the measure's transaction (see `measure_update`).
    """
    name = kind.related_name
    existing = {row.pk: row for row in getattr(measure, name).all()}
    errors = {}
    keep = []
    seen = set()
    for position, item in enumerate(items):
        item = dict(item)
        row_id = item.pop("id", None)
        row = existing.get(row_id) if row_id else kind.model(measure=measure)
        if row is None:
            message = _("%(noun)s %(id)s gehört nicht zu dieser Maßnahme.")
            raise ValidationError({name: message % {"noun": kind.noun, "id": row_id}})
        item.setdefault("order", position + 1)
        if kind.complete is not None:
            kind.complete(item, row if row_id else None)
        assign_fields(row, item, kind.fields)
        if kind.unique_field:
            value = getattr(row, kind.unique_field)
            if value in seen:
                errors[f"{name}-{position}-{kind.unique_field}"] = [
                    _("Diese Kennzahl ist doppelt aufgeführt.")
                ]
                continue
            seen.add(value)
        try:
            row.full_clean(exclude=["measure"], validate_unique=not kind.unique_field)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"{name}-{position}-{field}"] = messages
            continue
        keep.append(row)
    if errors:
        raise ValidationError(errors)
    # Delete first so a renamed row may take over a name another one gives up.
    getattr(measure, name).exclude(pk__in=[row.pk for row in keep if row.pk]).delete()
    for row in keep:
        row.save()


def children_replace_bulk(
    *, kind: Children, items_by_measure: dict[int, list[dict]], new_measures: Iterable[int] = ()
) -> list:
    """`children_replace` for many measures at once; the caller has validated every value.

    Measures not in the dict keep their rows; `new_measures` (just created) have none to read.
    Returns the new rows (saved, with their ids).
    """
    model = kind.model
    existing: dict[int, Any] = {}
    new_measures = set(new_measures)
    for chunk in in_chunks([pk for pk in items_by_measure if pk not in new_measures]):
        existing.update((row.pk, row) for row in model.objects.filter(measure_id__in=chunk))
    now = timezone.now()
    new_items, to_update, changed_fields, keep = [], [], set(), set()
    for measure_id, items in items_by_measure.items():
        for position, item in enumerate(items):
            item = normalize_texts(item)
            row_id = item.pop("id", None)
            item.setdefault("order", position + 1)
            row = existing.get(row_id) if row_id is not None else None
            if row_id is not None and (row is None or row.measure_id != measure_id):
                raise ValueError(f"{model.__name__} {row_id} is not one of measure {measure_id}.")
            if kind.complete is not None:
                kind.complete(item, row)
            if row is None:
                new_items.append({**item, "measure_id": measure_id, "updated_at": now})
                continue
            keep.add(row_id)
            changes = {name for name, value in item.items() if getattr(row, name) != value}
            if changes:
                assign_fields(row, item, kind.fields)
                row.updated_at = now
                changed_fields |= changes
                to_update.append(row)
    # Delete first so a new KPI may take over the name of one that goes.
    for chunk in in_chunks([pk for pk in existing if pk not in keep]):
        model.objects.filter(pk__in=chunk).delete()
    if to_update:
        model.objects.bulk_update(to_update, [*sorted(changed_fields), "updated_at"], CHUNK)
    return rows_insert(rows_new(model, new_items))
