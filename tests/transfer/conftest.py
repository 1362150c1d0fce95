from pathlib import Path

import pytest

from kpis.models import KPIValue
from measures.models import ChangeRecord, Measure
from measures.services import measure_state

FILES = Path(__file__).parent / "files"


def database_dump() -> dict:
    """Everything an import may touch: each measure's full state, versions, history size."""
    return {
        "measures": {measure.number: measure_state(measure) for measure in Measure.objects.all()},
        "versions": sorted(Measure.objects.values_list("number", "version")),
        "kpi_values": sorted(KPIValue.objects.values_list("kpi_id", "date", "value", "note")),
        "history": ChangeRecord.objects.count(),
    }


def read_file(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded import files go to a temporary folder (and a worker started later sees it)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
