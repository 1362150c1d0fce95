"""The one parser and formatter of numbers: German and English as people write them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from masterplan.numbers import canonical_decimal, format_decimal, parse_decimal


@pytest.mark.parametrize(
    "language, written, number",
    [
        # German: the dot groups thousands, the comma separates decimals.
        ("de", "12.500", "12500"),
        ("de", "1.500", "1500"),
        ("de", "1.234,5", "1234.5"),
        ("de", "1.234.567,89", "1234567.89"),
        ("de", "1.000.000", "1000000"),
        ("de", "12,5", "12.5"),
        ("de", "12,500", "12.5"),
        ("de", "2,5", "2.5"),
        ("de", ",5", "0.5"),
        ("de", "-3,25", "-3.25"),
        ("de", "\u22122,5", "-2.5"),  # Unicode minus, as copied from documents
        ("de", "1 234 567,89", "1234567.89"),
        ("de", "1\u00a0234", "1234"),
        ("de", "2000000 €", "2000000"),
        # Ambiguous: one dot not followed by three digits can only be a decimal point.
        ("de", "1.5", "1.5"),
        ("de", "1234.5", "1234.5"),
        ("de", "0.25", "0.25"),
        # English: the reverse.
        ("en", "12,500", "12500"),
        ("en", "1,234.5", "1234.5"),
        ("en", "1,000,000", "1000000"),
        ("en", "12.5", "12.5"),
        ("en", "12.500", "12.5"),
        ("en", "12,5", "12.5"),
        ("en", "-0.75", "-0.75"),
        # Numbers from spreadsheet cells stay as they are.
        ("de", 1.5, "1.5"),
        ("de", 2000000, "2000000"),
        ("en", Decimal("12.5000"), "12.5000"),
    ],
)
def test_numbers_are_read_as_people_in_that_language_write_them(language, written, number):
    assert parse_decimal(written, language=language) == Decimal(number)


@pytest.mark.parametrize("written", [None, "", "   ", "€"])
def test_blank_is_no_number(written):
    assert parse_decimal(written, language="de") is None


@pytest.mark.parametrize(
    "language, written",
    [
        ("de", "viele"),
        ("de", "1,234.5"),  # English grouping on a German page: refused, not guessed
        ("de", "1.23.4"),
        ("de", "1.234.5"),
        ("de", "1,2,3"),
        ("de", "12,"),
        ("de", "1e5"),
        ("de", "NaN"),
        ("de", "Infinity"),
        ("de", "--1"),
        ("de", "1-"),
        ("de", "²"),
        ("en", "1.234,5"),
        ("en", "1.500.000"),
        ("de", True),
        ("de", float("nan")),
    ],
)
def test_what_is_not_a_number_is_refused_naming_it(language, written):
    with pytest.raises(ValidationError) as refused:
        parse_decimal(written, language=language)
    assert refused.value.messages == [f"„{str(written).strip()}“ ist keine Zahl."]


def test_without_a_language_the_page_language_decides():
    with translation.override("de"):
        assert parse_decimal("12.500") == 12500
    with translation.override("en"):
        assert parse_decimal("12.500") == Decimal("12.5")


@pytest.mark.parametrize(
    "number, german, english",
    [
        ("250000.0000", "250.000", "250,000"),
        ("12.5000", "12,5", "12.5"),
        ("18000.5", "18.000,5", "18,000.5"),
        ("1500000", "1.500.000", "1,500,000"),
        ("1E+2", "100", "100"),
        ("-1234.5", "-1.234,5", "-1,234.5"),
        ("0.0001", "0,0001", "0.0001"),
        ("0", "0", "0"),
        ("999", "999", "999"),
    ],
)
def test_numbers_are_written_for_people_without_trailing_zeros(number, german, english):
    assert format_decimal(Decimal(number), language="de") == german
    assert format_decimal(Decimal(number), language="en") == english
    # What is written reads back as the same number.
    assert parse_decimal(german, language="de") == Decimal(number)
    assert parse_decimal(english, language="en") == Decimal(number)


def test_data_files_get_the_number_without_grouping():
    assert format_decimal(Decimal("1500000.5000"), language="de", grouping=False) == "1500000,5"


def test_the_formatter_follows_the_page_language_and_writes_nothing_for_none():
    with translation.override("en"):
        assert format_decimal(Decimal("1234.5")) == "1,234.5"
    assert format_decimal(None) == ""


def test_rounding_to_decimal_places_drops_zeros_left_over():
    assert format_decimal(Decimal("137499.375"), language="de", decimal_places=2) == "137.499,38"
    assert format_decimal(Decimal("2.50"), language="de", decimal_places=2) == "2,5"


@pytest.mark.parametrize(
    "number, canonical",
    [("12.5000", "12.5"), ("1E+2", "100"), ("100.00", "100"), ("-0.250", "-0.25"), (None, None)],
)
def test_stored_json_has_one_spelling_per_number(number, canonical):
    assert canonical_decimal(None if number is None else Decimal(number)) == canonical
