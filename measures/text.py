"""Text as staff write it: one spelling of line breaks, length limits, search and sort keys.

Every write path (web forms, admin, import, restore, seed) stores text through
`normalize_text`, so the same words are stored the same way whichever way they came in: a
browser sends Windows line endings (CRLF), a spreadsheet may hold old Mac ones (CR), a Mac
may paste decomposed umlauts. Without this, saving an unchanged form would record a change.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Func, Value
from django.db.models.functions import Lower, Replace
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

# Long texts get a limit: enough for any real measure (the longest seed description has
# 3,500 characters), small enough that a pasted document or a crafted file is refused.
DESCRIPTION_MAX_LENGTH = 20_000
GOAL_TEXT_MAX_LENGTH = 2_000
PROGRESS_NOTE_MAX_LENGTH = 5_000


def normalize_text(value):
    """Line breaks as LF, characters composed (NFC); anything but a string unchanged."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return value


def normalize_texts(data: dict) -> dict:
    """`normalize_text` applied to every value of a dict of field values."""
    return {key: normalize_text(value) for key, value in data.items()}


@deconstructible
class TextLengthValidator(MaxLengthValidator):
    """At most `limit_value` characters, said with the numbers as people read them."""

    message = _("Höchstens %(limit_value)s Zeichen erlaubt (hier %(show_value)s).")

    def __call__(self, value):
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            raise ValidationError(
                self.message,
                code=self.code,
                params={
                    "limit_value": number_format(self.limit_value, force_grouping=True),
                    "show_value": number_format(length, force_grouping=True),
                    "value": value,
                },
            )


def text_limit(model_field) -> int | None:
    """The most characters a model field takes: its max_length or its TextLengthValidator."""
    if model_field.max_length:
        return model_field.max_length
    limits = [v.limit_value for v in model_field.validators if isinstance(v, MaxLengthValidator)]
    return min(limits) if limits else None


# --- Search: case-insensitive, umlauts included, the same on SQLite and PostgreSQL ---------
#
# PostgreSQL's LOWER knows umlauts (in a UTF-8 database); SQLite's knows only A-Z. On SQLite
# the connection gets a LOWER of Python's (`register_sqlite_functions`), so "überarbeitung"
# finds "Überarbeitung" on both.

SQLITE_LOWER = "sachstand_lower"


class UnicodeLower(Lower):
    """LOWER that lowers every letter, not only A-Z, on SQLite too."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_LOWER, **extra_context)


def search_term(text: str) -> str:
    """The user's search text as `UnicodeLower` columns hold it."""
    return normalize_text(text).lower()


# --- Sorting: "Datenaustausch" before "DMS", "Ärger" among the A ---------------------------
#
# A sort key computed by the database from the same table on both databases (DIN 5007-1:
# ä = a, ö = o, ü = u, ß = ss; common accents dropped; case ignored). No stored column to
# keep in step with every write path, and no collation that a database may lack.

FOLDED_LETTERS = {
    "ß": "ss", "ẞ": "ss",
    "Ä": "a", "ä": "a", "Ö": "o", "ö": "o", "Ü": "u", "ü": "u",
    "À": "a", "Á": "a", "Â": "a", "à": "a", "á": "a", "â": "a",
    "È": "e", "É": "e", "Ê": "e", "Ë": "e", "è": "e", "é": "e", "ê": "e", "ë": "e",
    "Î": "i", "Ï": "i", "î": "i", "ï": "i", "Ô": "o", "ô": "o",
    "Ù": "u", "Û": "u", "ù": "u", "û": "u", "Ç": "c", "ç": "c", "Ñ": "n", "ñ": "n",
}  # fmt: skip


def sort_key(text: str) -> str:
    """The key titles sort by; `SortKey` computes the same in the database."""
    if text is None:
        return None
    return "".join(FOLDED_LETTERS.get(char, char) for char in normalize_text(text)).lower()


_SINGLE = {letter: to for letter, to in FOLDED_LETTERS.items() if len(to) == 1}
_DOUBLE = {letter: to for letter, to in FOLDED_LETTERS.items() if len(to) > 1}
SQLITE_SORT_KEY = "sachstand_sort_key"


class SortKey(Func):
    """`sort_key` of a text column, in SQL: the table folded (TRANSLATE, REPLACE), then
    lowered. SQLite has no TRANSLATE: its connection gets `sort_key` itself."""

    output_field = models.CharField()

    def __init__(self, expression, **extra):
        super().__init__(models.F(expression) if isinstance(expression, str) else expression)

    def as_sql(self, compiler, connection, **extra_context):
        folded = Func(
            self.source_expressions[0],
            Value("".join(_SINGLE)),
            Value("".join(_SINGLE.values())),
            function="TRANSLATE",
        )
        for letter, replacement in _DOUBLE.items():
            folded = Replace(folded, Value(letter), Value(replacement))
        return compiler.compile(Lower(folded))

    def as_sqlite(self, compiler, connection, **extra_context):
        return Func.as_sql(self, compiler, connection, function=SQLITE_SORT_KEY, **extra_context)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: SQLite learns the functions of `UnicodeLower` and
    `SortKey` (Python's, so they work the same as PostgreSQL's)."""
    if connection.vendor == "sqlite":
        lower = lambda text: text.lower() if text is not None else None  # noqa: E731
        connection.connection.create_function(SQLITE_LOWER, 1, lower, deterministic=True)
        connection.connection.create_function(SQLITE_SORT_KEY, 1, sort_key, deterministic=True)
