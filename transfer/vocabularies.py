"""The words a cell may hold for a rating, a status or a working group, and the drop-down
lists the export and the template offer for them.

Read forgivingly where the meaning is unambiguous: case, spaces and trend arrows do not
matter ("hoch ↗"), German or English, stars for a quick win.
"""

import re

from masterplan.models import Level, Programme, QuickWin, Timeframe
from measures.models import GoalStatus, MeasureStatus
from measures.resources import Cell, Column

_ARROWS = re.compile(r"[↗↘→←↑↓⬈⬊➚➘➔⇗⇘⇒]")


def word(value) -> str:
    """A text as looked up: arrows, case and runs of spaces do not matter."""
    return " ".join(_ARROWS.sub(" ", str(value)).casefold().split())


RATING_WORDS: dict[type, dict[str, str]] = {
    Level: {
        "gering": Level.LOW,
        "niedrig": Level.LOW,
        "low": Level.LOW,
        "mittel": Level.MEDIUM,
        "medium": Level.MEDIUM,
        "hoch": Level.HIGH,
        "high": Level.HIGH,
    },
    Timeframe: {
        "kurzfristig": Timeframe.SHORT,
        "kurz": Timeframe.SHORT,
        "short": Timeframe.SHORT,
        "short-term": Timeframe.SHORT,
        "mittelfristig": Timeframe.MEDIUM,
        "mittel": Timeframe.MEDIUM,
        "medium": Timeframe.MEDIUM,
        "medium-term": Timeframe.MEDIUM,
        "langfristig": Timeframe.LONG,
        "lang": Timeframe.LONG,
        "long": Timeframe.LONG,
        "long-term": Timeframe.LONG,
    },
    QuickWin: {
        "ja": QuickWin.YES,
        "yes": QuickWin.YES,
        "★": QuickWin.YES,
        "🌟": QuickWin.YES,
        "⭐": QuickWin.YES,
        "teilweise": QuickWin.PARTLY,
        "partly": QuickWin.PARTLY,
        "partially": QuickWin.PARTLY,
        "nein": QuickWin.NO,
        "no": QuickWin.NO,
        "☆": QuickWin.NO,
    },
}
NOT_RATED = {"", "nicht bewertet", "not rated"}


def _choice_words(choices: type) -> dict[str, str]:
    words = {}
    for value, label in choices.choices:
        words[word(value)] = value
        words[word(str(label))] = value
        words[word(value.replace("ue", "ü"))] = value
    return words


STATUS_WORDS = {
    MeasureStatus: {
        **_choice_words(MeasureStatus),
        "planned": MeasureStatus.PLANNED,
        "in progress": MeasureStatus.IN_PROGRESS,
        "completed": MeasureStatus.COMPLETED,
        "deferred": MeasureStatus.DEFERRED,
    },
    GoalStatus: {
        **_choice_words(GoalStatus),
        "open": GoalStatus.OPEN,
        "in progress": GoalStatus.IN_PROGRESS,
        "reached": GoalStatus.REACHED,
        "delayed": GoalStatus.DELAYED,
        "dropped": GoalStatus.DROPPED,
    },
}


def working_group_lookup(groups) -> dict[str, object]:
    """Ways a working group may be written: "II", "2", "AG II", its name."""
    lookup = {}
    for group in groups:
        for text in (group.numeral, str(group.number), f"AG {group.numeral}", group.name):
            lookup[word(text)] = group
    return lookup


def drop_down(column: Column, programme: Programme) -> list[str]:
    """The values a column's drop-down list offers (none for free text and numbers)."""
    if column.cell == Cell.WORKING_GROUP:
        return list(programme.working_groups.values_list("numeral", flat=True))
    if column.cell == Cell.RATING:
        return list(column.choices.values)
    if column.cell == Cell.STATUS:
        return [str(label) for label in column.choices.labels]
    return []
