"""What an import reports: errors with sheet, row and column, and a bounded list of them.

A file of 200,000 junk rows must not produce a 400,000-line page: `errors_listed` keeps the
first `IMPORT_MAX_LISTED_ERRORS` and one line counting the rest ("… und 399.700 weitere
Fehler"); `ErrorCollector` does the same while reading, so the list never grows unbounded.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class RowError:
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    # A summary line stands for this many further errors that are not listed.
    omitted: int = 0

    def __str__(self):
        where = []
        if self.sheet:
            where.append(_("Blatt %(sheet)s") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("Zeile %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("Spalte %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "text": str(self),
            "omitted": self.omitted,
        }


class FileRefused(Exception):
    """The file as a whole cannot be read: not a spreadsheet, empty, unknown columns."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def listed_errors_limit() -> int:
    return getattr(settings, "IMPORT_MAX_LISTED_ERRORS", 300)


def errors_total(errors: list[RowError] | list[dict]) -> int:
    """How many errors a (possibly shortened) list stands for."""
    total = 0
    for error in errors:
        omitted = error.get("omitted", 0) if isinstance(error, dict) else error.omitted
        total += omitted or 1
    return total


def errors_listed(errors: list[RowError], limit: int | None = None) -> list[RowError]:
    """At most `limit` errors, then one line that counts the rest."""
    limit = listed_errors_limit() if limit is None else limit
    listed = [error for error in errors if not error.omitted]
    rest = sum(error.omitted for error in errors) + max(0, len(listed) - limit)
    listed = listed[:limit]
    if rest:
        listed.append(
            RowError(
                ngettext(
                    "… und %(count)s weiterer Fehler",
                    "… und %(count)s weitere Fehler",
                    rest,
                )
                % {"count": number_format(rest, force_grouping=True)},
                omitted=rest,
            )
        )
    return listed


class ErrorCollector(list):
    """A list of errors that keeps only the first few hundred and counts the others."""

    def __init__(self, *args, limit: int | None = None):
        super().__init__(*args)
        self.limit = listed_errors_limit() if limit is None else limit

    def append(self, error: RowError) -> None:
        super().append(error)
        if len(self) > 2 * self.limit + 1:
            self[:] = errors_listed(self, self.limit)

    def extend(self, errors) -> None:
        for error in errors:
            self.append(error)
