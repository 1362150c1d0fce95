"""Protection against formula injection: what an export writes, the import undoes.

A cell of user text that starts with "=", "+", "-" or "@" would run as a formula when a
spreadsheet opens the export; a leading apostrophe keeps it text. The import strips exactly
that apostrophe, so a round trip changes nothing.
"""

import re

FORMULA_START = ("=", "+", "-", "@")
_PROTECTED = re.compile(r"^'+[=+\-@]")


def protect(text: str) -> str:
    """Export: a leading apostrophe keeps spreadsheets from running user text as a formula."""
    if text.startswith(FORMULA_START) or _PROTECTED.match(text):
        return "'" + text
    return text


def unprotect(text: str) -> str:
    """Import: strip exactly the apostrophe `protect` added."""
    return text[1:] if text[:1] == "'" and _PROTECTED.match(text) else text
