"""Reading a goal's target as written ("bis Ende 2020", "ab 2021") into a date.

What cannot be read with certainty gives no date: a wrong date is worse than none.

| written                          | date        | open-ended |
|----------------------------------|-------------|------------|
| bis Ende 2020, Ende 2020, in 2020, 2020 | 2020-12-31 | no   |
| bis Mitte 2020                   | 2020-06-30  | no         |
| bis Anfang 2020                  | 2020-03-31  | no         |
| bis Sommer 2020                  | 2020-08-31  | no         |
| bis Frühjahr 2020                | 2020-05-31  | no         |
| bis Herbst 2020                  | 2020-11-30  | no         |
| bis 30.06.2020, bis 06/2020      | that day / month end | no |
| ab 2021, 2021 ff., 2021ff        | 2021-01-01  | yes        |
| ab Mitte 2020                    | 2020-07-01  | yes        |
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TargetReading:
    date: date | None
    open_ended: bool = False


UNREADABLE = TargetReading(date=None)

_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PERIOD_END = {
    "ende": (12, 31),
    "mitte": (6, 30),
    "anfang": (3, 31),
    "beginn": (3, 31),
    "frühjahr": (5, 31),
    "fruehjahr": (5, 31),
    "sommer": (8, 31),
    "herbst": (11, 30),
}
_PERIOD_START = {
    "ende": (10, 1),
    "mitte": (7, 1),
    "anfang": (1, 1),
    "beginn": (1, 1),
    "frühjahr": (3, 1),
    "fruehjahr": (3, 1),
    "sommer": (6, 1),
    "herbst": (9, 1),
}
_PERIOD = r"(?P<period>" + "|".join(_PERIOD_END) + r")"

_PATTERNS = [
    # open-ended: "ab 2021", "ab Mitte 2020", "2021 ff.", "(2020 ff.)"
    ("start", re.compile(rf"^ab\s+(?:{_PERIOD}\s+)?{_YEAR}$")),
    ("start", re.compile(rf"^{_YEAR}\s*ff\.?$")),
    # deadlines
    (
        "day",
        re.compile(rf"^(?:bis\s+(?:zum\s+)?)?(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.{_YEAR}$"),
    ),
    ("month", re.compile(rf"^(?:bis\s+)?(?P<month>\d{{1,2}})/{_YEAR}$")),
    ("period", re.compile(rf"^(?:bis\s+)?(?:zum\s+)?{_PERIOD}\s+{_YEAR}$")),
    ("year", re.compile(rf"^(?:bis\s+)?(?:in\s+|im\s+jahr\s+)?{_YEAR}$")),
]


def read_target(written: str) -> TargetReading:
    text = " ".join(written.strip().strip("().,;").lower().split())
    if not text:
        return UNREADABLE
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match["year"])
        if kind == "start":
            period = match.groupdict().get("period")
            month, day = _PERIOD_START[period] if period else (1, 1)
            return TargetReading(date=date(year, month, day), open_ended=True)
        if kind == "day":
            try:
                return TargetReading(date=date(year, int(match["month"]), int(match["day"])))
            except ValueError:
                return UNREADABLE
        if kind == "month":
            month = int(match["month"])
            if not 1 <= month <= 12:
                return UNREADABLE
            return TargetReading(date=date(year, month, calendar.monthrange(year, month)[1]))
        if kind == "period":
            month, day = _PERIOD_END[match["period"]]
            return TargetReading(date=date(year, month, day))
        return TargetReading(date=date(year, 12, 31))
    return UNREADABLE
