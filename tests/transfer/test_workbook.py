"""Reading cells forgivingly where the meaning is clear, refusing with the allowed values."""

from datetime import date
from decimal import Decimal

import pytest

from masterplan.models import Level, QuickWin, Timeframe
from transfer.cells import CellError, read_date, read_decimal, read_rating
from transfer.errors import FileRefused
from transfer.formulas import protect, unprotect
from transfer.sheets import read_sheets


@pytest.mark.parametrize(
    "written, choices, stored",
    [
        ("Mittel", Level, "mittel"),
        (" mittel ", Level, "mittel"),
        ("hoch ↗", Level, "hoch"),
        ("gering →", Level, "gering"),
        ("HOCH", Level, "hoch"),
        ("", Level, ""),
        (None, Level, ""),
        ("Kurzfristig", Timeframe, "kurzfristig"),
        ("langfristig ↘", Timeframe, "langfristig"),
        ("Ja", QuickWin, "ja"),
        ("★", QuickWin, "ja"),
        ("☆", QuickWin, "nein"),
        ("teilweise", QuickWin, "teilweise"),
        ("Nein", QuickWin, "nein"),
    ],
)
def test_ratings_are_read_forgivingly_where_unambiguous(written, choices, stored):
    assert read_rating(written, choices) == stored


@pytest.mark.parametrize(
    "written, choices, message",
    [
        ("sehr hoch", Level, "'sehr hoch' ist kein zulässiger Wert (gering, mittel, hoch)"),
        ("★", Level, "'★' ist kein zulässiger Wert (gering, mittel, hoch)"),
        ("vielleicht", QuickWin, "'vielleicht' ist kein zulässiger Wert (ja, teilweise, nein)"),
        (
            "bald",
            Timeframe,
            "'bald' ist kein zulässiger Wert (kurzfristig, mittelfristig, langfristig)",
        ),
    ],
)
def test_other_ratings_are_refused_naming_the_allowed_values(written, choices, message):
    with pytest.raises(CellError) as refused:
        read_rating(written, choices)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "written, number",
    [
        ("1.234.567,89", Decimal("1234567.89")),
        ("30.000,50", Decimal("30000.50")),
        ("1,5", Decimal("1.5")),
        ("1.5", Decimal("1.5")),
        ("1.500.000", Decimal("1500000")),
        ("2000000 €", Decimal("2000000")),
        (1.5, Decimal("1.5")),
        (2000000, Decimal("2000000")),
        ("", None),
    ],
)
def test_numbers_are_read_with_a_german_decimal_comma(written, number):
    assert read_decimal(written) == number


@pytest.mark.parametrize(
    "written, day",
    [
        ("31.12.2020", date(2020, 12, 31)),
        ("2020-12-31", date(2020, 12, 31)),
        ("1.2.2021", date(2021, 2, 1)),
    ],
)
def test_dates_are_read_in_german_and_iso_form(written, day):
    assert read_date(written) == day


def test_a_date_that_does_not_exist_is_refused():
    with pytest.raises(CellError, match="kein Datum"):
        read_date("32.13.2020")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "'=x", "''-x", "normal", "'plain"])
def test_unprotect_undoes_exactly_what_protect_added(text):
    assert unprotect(protect(text)) == text
    if text[0] in "=+-@":
        assert protect(text) == "'" + text


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_delimiter_is_sniffed(delimiter):
    text = (
        delimiter.join(["Nummer", "Titel", "Kosten"]) + "\n" + delimiter.join(["1.1", "A", "hoch"])
    )
    _format, sheets = read_sheets(name="m.csv", data=text.encode())
    assert sheets[0].kind == "measures"
    assert sheets[0].rows == [(2, {"number": "1.1", "title": "A", "cost_rating": "hoch"})]


def test_a_file_that_is_not_text_is_refused_naming_the_encodings_read():
    with pytest.raises(FileRefused, match="UTF-8, UTF-16, Windows-1252"):
        read_sheets(name="m.csv", data=b"Nummer;Titel\n1.1;\x00\x01\x02\x03\n")
