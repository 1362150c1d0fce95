"""Loading the seed masterplan (fixtures/masterplan_seed.json) through the normal services."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from masterplan.models import Programme, WorkingGroup
from masterplan.services import legend_create
from measures.models import ChangeRecord
from measures.services import measure_create

SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "masterplan_seed.json"


class SeedAlreadyLoaded(Exception):
    pass


def read_seed(path: Path = SEED_PATH) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@transaction.atomic
def programme_load_seed(*, path: Path = SEED_PATH, by=None) -> Programme:
    """Create the programme described by a seed file; refuses if it exists already."""
    seed = read_seed(path)
    if Programme.objects.filter(name=seed["programme"]["name"]).exists():
        raise SeedAlreadyLoaded(seed["programme"]["name"])
    programme = Programme.objects.create(**seed["programme"])
    legend_create(programme=programme, legend=seed["legend"])
    for group_data in seed["working_groups"]:
        group = WorkingGroup.objects.create(
            programme=programme,
            number=group_data["number"],
            numeral=group_data["numeral"],
            name=group_data["name"],
        )
        for measure_data in group_data["measures"]:
            ratings = measure_data["ratings"]
            kpis = [{"name": kpi["name"]} for kpi in measure_data["kpis"]]
            measure_create(
                programme=programme,
                data={
                    "number": measure_data["number"],
                    "working_group": group,
                    "title": measure_data["title"],
                    "description": measure_data["description"],
                    "cost_rating": ratings["cost"],
                    "personnel_rating": ratings["personnel"],
                    "timeframe_rating": ratings["timeframe"],
                    "quick_win": ratings["quick_win"],
                },
                goals=[
                    {"category": goal["category"], "text": goal["text"], "target": goal["target"]}
                    for goal in measure_data["goals"]
                ],
                kpis=kpis,
                by=by,
                source=ChangeRecord.Source.SEED,
            )
    return programme
