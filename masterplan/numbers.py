"""Numbers as people write and read them: the one parser and the one formatter of the project.

Every form, the KPI entry, the spreadsheet import and export, the charts, the history and the
PDF use these three functions, so the same text gives the same stored value everywhere and a
stored value reads the same everywhere. Separators come from Django's locale formats
(`django.utils.formats.get_format`) of the page's language or the one given.

Reading (`parse_decimal`), German ("de"): the dot groups thousands, the comma separates the
decimals: "12.500" = 12500, "1.234,5" = 1234.5, "1,5" = 1.5. English ("en"): the reverse.
Spaces (also non-breaking), a "€" sign and a Unicode minus are allowed. The only ambiguous
input is one "other" separator: German "1.5" or "1234.5", English "12,5". A dot followed by
exactly three digits groups thousands ("12.500" is 12500 on a German page); with any other
number of digits nobody writes a thousands separator, so it can only be a decimal point and is
read as one ("1.5" = 1.5, as typed on an English keyboard or copied from another system). A
grouping that is neither ("1.23.4", "1.234.5", "1,2,3") is refused, never guessed.

Writing (`format_decimal`): no trailing zeros ("12,5", not "12,5000"), thousands grouped
("250.000"), never exponent notation. `canonical_decimal` is the one language-free spelling
("12.5", "100") for stored JSON (history states, report snapshots), so unchanged values never
show up as changes.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = ["NumberField", "canonical_decimal", "format_decimal", "parse_decimal"]

# Spaces of every width (also as thousands separators: "1 234 567"), the euro sign.
_IGNORED = re.compile(r"[\s\u00a0\u2007\u2009\u202f€]")
_DIGITS = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:X[0-9]{3})+")


def _separators(language: str | None) -> tuple[str, str]:
    language = language or get_language() or "de"
    return (
        get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
    )


def _invalid(text) -> ValidationError:
    return ValidationError(
        _("„%(value)s“ ist keine Zahl."), code="invalid_number", params={"value": text}
    )


def parse_decimal(text, *, language: str | None = None) -> Decimal | None:
    """The number people wrote, read by the rules of `language` (default: the active one).

    Blank gives None; numbers (int, float, Decimal: spreadsheet cells) are taken as they are.
    Anything that is not a number raises `ValidationError` with a German message naming it.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise _invalid(text)
    if isinstance(text, int | Decimal | float):
        number = Decimal(repr(text)) if isinstance(text, float) else Decimal(text)
        if not number.is_finite():
            raise _invalid(text)
        return number
    written = str(text).strip()
    body = _IGNORED.sub("", written).replace("\u2212", "-")
    if not body:
        return None
    sign = ""
    if body[0] in "+-":
        sign, body = body[0].replace("+", ""), body[1:]
    decimal_sep, thousand_sep = _separators(language)
    whole, separator, fraction = body.partition(decimal_sep)
    if separator and not _DIGITS.fullmatch(fraction):
        raise _invalid(written)
    if thousand_sep in whole:
        groups = whole.split(thousand_sep)
        if (
            not separator
            and len(groups) == 2
            and len(groups[1]) != 3
            and _DIGITS.fullmatch(groups[1])
            and (not groups[0] or _DIGITS.fullmatch(groups[0]))
        ):
            # "1.5" on a German page: no thousands group has other than three digits, so this
            # is a decimal point.
            whole, fraction = groups
        elif _GROUPED.fullmatch(whole.replace(thousand_sep, "X")):
            whole = "".join(groups)
        else:
            raise _invalid(written)
    if not whole and fraction:
        whole = "0"  # ",5"
    if not _DIGITS.fullmatch(whole):
        raise _invalid(written)
    try:
        return Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
    except InvalidOperation:  # pragma: no cover - the text is digits only by now
        raise _invalid(written) from None


def _plain(value) -> Decimal:
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    # normalize() drops trailing zeros but writes 100 as 1E+2; quantize brings integers back.
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def format_decimal(
    value, *, language: str | None = None, grouping: bool = True, decimal_places: int | None = None
) -> str:
    """A number for people in `language` (default: the active one): "250.000", "12,5".

    No trailing zeros; `decimal_places` rounds to at most that many. `grouping=False` leaves
    out the thousands separators (for data files). None gives "".
    """
    if value is None or value == "":
        return ""
    number = _plain(value)
    if decimal_places is not None:
        number = _plain(number.quantize(Decimal(1).scaleb(-decimal_places)))
    language = language or get_language() or "de"
    decimal_sep, thousand_sep = _separators(language)
    return numberformat.format(
        number,
        decimal_sep,
        grouping=get_format("NUMBER_GROUPING", language, use_l10n=True) if grouping else 0,
        thousand_sep=thousand_sep,
        force_grouping=grouping,
        use_l10n=True,
    )


def canonical_decimal(value) -> str | None:
    """The one language-free spelling of a number for stored JSON: "12.5", "100", "-0.25"."""
    if value is None:
        return None
    return format(_plain(value), "f")


class NumberField(forms.DecimalField):
    """A form field for a number as people type it: a text input with the decimal keypad
    (`inputmode="decimal"`), read by `parse_decimal` and shown by `format_decimal` in the page's
    language.

    Not `<input type=number>`: browsers read that by their own locale rules ("1.000.000" is
    refused, Chromium turned a German "2,5" into 25).
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_decimal(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return format_decimal(value)
        return value
