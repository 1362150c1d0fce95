"""Cell readers: one raw cell → a typed value, or a `CellError` saying what is wrong.

Each column declares how its cells are read (`measures.resources.Cell`); `reader` turns that
declaration into the function `transfer.rows` calls for every cell of the column. Number cells:
native numbers as they are, text by `masterplan.numbers.parse_decimal` with German rules
whatever the page language (the export writes German numbers). Text is normalised as the web
forms do (`measures.text.normalize_text`), and an apostrophe the export added against formula
injection is taken off again (`transfer.formulas`).
"""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from masterplan.numbers import parse_decimal
from measures.models import MEASURE_NUMBER_PATTERN
from measures.resources import Cell, Column
from measures.text import TextLengthValidator, normalize_text, text_limit

from .formulas import unprotect
from .vocabularies import NOT_RATED, RATING_WORDS, STATUS_WORDS, word

_NUMBER = re.compile(MEASURE_NUMBER_PATTERN)
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")
_MIDNIGHT = re.compile(r"\d{4}-\d\d-\d\d[ T]00:00(:00)?")


class CellError(ValueError):
    pass


def cell_text(value: Any) -> str:
    """Any cell as text: whole floats without ".0", dates as the export writes them."""
    if value.__class__ is str:  # most cells: the fast path
        return unprotect(normalize_text(value).strip())
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
        % {"value": cell_text(value), "allowed": ", ".join(str(item) for item in allowed)}
    )


def read_rating(value: Any, choices: type) -> str:
    """ "Mittel", " mittel ", "hoch ↗", "★" → the stored level; blank → not rated."""
    text = word(cell_text(value))
    if text in NOT_RATED:
        return ""
    words = RATING_WORDS[choices]
    if text in words:
        return words[text]
    raise _not_allowed(value, choices.values)


def read_status(value: Any, choices: type) -> str | None:
    """A status by value or label, German or English; blank → None (keep or default)."""
    text = word(cell_text(value))
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
        value = cell_text(value)
    try:
        return parse_decimal(value, language="de")
    except ValidationError:
        raise CellError(_("'%(value)s' ist keine Zahl") % {"value": cell_text(value)}) from None


def read_order(value: Any) -> int | None:
    number = read_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value() or not 0 <= number <= 32767:
        raise CellError(
            _("'%(value)s' ist keine ganze Zahl zwischen 0 und 32767") % {"value": cell_text(value)}
        )
    return int(number)


def read_id(value: Any) -> int | None:
    """A version or a key the export wrote: a positive whole number; blank → None."""
    number = read_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value() or not 1 <= number <= 2**31 - 1:
        raise CellError(
            _("'%(value)s' ist keine positive ganze Zahl") % {"value": cell_text(value)}
        )
    return int(number)


def read_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    text = text.split(" ")[0] if _MIDNIGHT.fullmatch(text) else text
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
            % {"value": cell_text(value)}
        )
    text = cell_text(value)
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


def _model_text(model_field, *, required: bool) -> Callable[[Any], str]:
    """Text checked as the model field's full_clean would (length, blank)."""
    limit = TextLengthValidator(text_limit(model_field) or 10**9)
    most = limit.limit_value

    def read(value: Any) -> str:
        text = cell_text(value)
        if required and not text:
            raise CellError(_("Dieses Feld darf nicht leer sein."))
        if len(text) <= most:
            return text
        try:
            limit(text)  # the same limit and message as the model and the form
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None
        return text

    return read


def _model_decimal(model_field, *, required: bool, minimum) -> Callable[[Any], Decimal | None]:
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


def _date(*, required: bool) -> Callable[[Any], date | None]:
    if not required:
        return read_date

    def read(value: Any) -> date:
        result = read_date(value)
        if result is None:
            raise CellError(_("Das Datum fehlt."))
        return result

    return read


def reader(column: Column, model_field) -> Callable[[Any], Any]:
    """The reader of a column's cells, from its declaration and the model field it holds."""
    match column.cell:
        case Cell.TEXT:
            return _model_text(model_field, required=column.required)
        case Cell.MEASURE_NUMBER:
            return read_number
        case Cell.WORKING_GROUP:
            return cell_text  # resolved against the programme's groups in `transfer.rows`
        case Cell.RATING:
            return lambda value: read_rating(value, column.choices)
        case Cell.STATUS:
            return lambda value: read_status(value, column.choices)
        case Cell.DECIMAL:
            return _model_decimal(model_field, required=column.required, minimum=column.minimum)
        case Cell.ORDER:
            return read_order
        case Cell.ID:
            return read_id
        case Cell.DATE:
            return _date(required=column.required)
    raise ValueError(f"Unknown cell type {column.cell!r}")
