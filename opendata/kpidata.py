"""The open-data downloads of a public programme: its KPIs and their values as CSV and JSON.

CSV as the spreadsheet export writes it (`transfer.export.write_csv`: UTF-8 with BOM, ";",
decimal comma, dates dd.mm.yyyy, no formula injection), one row per value; JSON for programs,
one object per KPI with its values (ISO dates, numbers as numbers). What is public comes from
`public.selectors.public_kpis`: never who entered a value.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime

import tablib
from django.db.models import Max, Min

from kpis.models import KPI, KPIValue
from masterplan.models import Programme
from measures.models import ChangeRecord
from public.selectors import public_kpis
from transfer.export import write_csv

from .oparl import EPOCH, timestamp

CSV_HEADERS = [
    "Arbeitsgruppe",
    "Maßnahme",
    "Maßnahmentitel",
    "Kennzahl",
    "Einheit",
    "Zielwert",
    "Zielwert (Zahl)",
    "Zieldatum",
    "Stichtag",
    "Wert",
    "Bemerkung",
]


@dataclass(frozen=True)
class DatasetFacts:
    """What the catalogue says about a programme's KPI data: when they last changed and which
    period their values cover (None without values)."""

    modified: datetime
    first_date: date | None
    last_date: date | None


def kpi_dataset_facts(programme: Programme) -> DatasetFacts:
    """The last change is the latest entry in the measures' history (every KPI and value
    change is recorded there) or KPI edit, whichever is later."""
    dates = KPIValue.objects.filter(kpi__in=public_kpis(programme).order_by()).aggregate(
        first=Min("date"), last=Max("date")
    )
    changes = [
        ChangeRecord.objects.filter(measure__programme=programme)
        .exclude(action=ChangeRecord.Action.ROUND)  # a round's steps leave the KPIs alone
        .aggregate(last=Max("changed_at"))["last"],
        KPI.objects.filter(measure__programme=programme).aggregate(last=Max("updated_at"))["last"],
    ]
    modified = max((moment for moment in changes if moment), default=EPOCH)
    return DatasetFacts(modified=modified, first_date=dates["first"], last_date=dates["last"])


def kpi_values_csv(programme: Programme) -> bytes:
    dataset = tablib.Dataset(headers=CSV_HEADERS)
    for kpi in public_kpis(programme):
        measure = kpi.measure
        for value in kpi.values.all():
            dataset.append(
                [
                    measure.working_group.numeral,
                    measure.number,
                    measure.title,
                    kpi.name,
                    kpi.unit,
                    kpi.target,
                    kpi.target_value,
                    kpi.target_date,
                    value.date,
                    value.value,
                    value.note,
                ]
            )
    return write_csv(dataset)


def _number(value):
    """A decimal as a JSON number (its shortest float spelling, exact up to 15 digits)."""
    return None if value is None else float(value)


def kpi_values_json(programme: Programme, *, license_uri: str, publisher: str) -> bytes:
    facts = kpi_dataset_facts(programme)
    kpis = [
        {
            "working_group": kpi.measure.working_group.numeral,
            "measure": kpi.measure.number,
            "measure_title": kpi.measure.title,
            "kpi": kpi.name,
            "unit": kpi.unit,
            "target": kpi.target,
            "target_value": _number(kpi.target_value),
            "target_date": kpi.target_date.isoformat() if kpi.target_date else None,
            "values": [
                {"date": value.date.isoformat(), "value": _number(value.value), "note": value.note}
                for value in kpi.values.all()
            ],
        }
        for kpi in public_kpis(programme)
    ]
    document = {
        "programme": programme.name,
        "publisher": publisher,
        "license": license_uri,
        "modified": timestamp(facts.modified),
        "kpis": kpis,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
