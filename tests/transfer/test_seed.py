"""The seed masterplan in the database matches the appendix it was transcribed from."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from kpis.models import KPI
from masterplan.models import RatingLevel, RatingScale
from measures.models import Goal, Measure

# The appendix as text, exactly as received (shared/seeds/000_1ff4a0fe0b663a84.txt).
SEED_TEXT = (
    Path(settings.BASE_DIR) / "fixtures" / "source" / "anhang_sachstandsbericht_15160-19.txt"
)
# The appendix's table of contents, e.g. "1.10\tModern Workspace .....\t13"
TOC_LINE = re.compile(r"^(\d+\.\d+)\t(.+?)\s*\.{3,}\s*\t\d+$")


def toc_entries() -> list[tuple[str, str]]:
    entries = []
    for line in SEED_TEXT.read_text(encoding="utf-8").splitlines():
        match = TOC_LINE.match(line.strip())
        if match:
            entries.append((match[1], match[2].strip()))
    return entries


def test_seed_has_the_four_working_groups_and_25_measures(programme):
    groups = list(programme.working_groups.values_list("numeral", "name"))
    assert groups == [
        ("I", "Arbeitsgruppe I"),
        ("II", "Arbeitsgruppe II"),
        ("III", "Arbeitsgruppe III"),
        ("IV", "Arbeitsgruppe IV"),
    ]
    per_group = [group.measures.count() for group in programme.working_groups.all()]
    assert per_group == [11, 3, 5, 6]


def test_measure_numbers_and_titles_follow_the_table_of_contents(programme):
    entries = toc_entries()
    assert len(entries) == 25

    in_db = list(Measure.objects.in_number_order().values_list("number", "title"))

    assert in_db == entries


def test_dms_and_e_akte_is_measure_1_4_as_the_table_of_contents_says(programme):
    assert Measure.objects.get(number="1.4").title == "DMS und E-Akte"
    assert Measure.objects.get(number="1.5").title == "Experimentierräume / Digital Lab"
    assert Measure.objects.get(number="1.11").title.startswith("Kollaboration")


def test_goal_and_kpi_counts_match_the_appendix(programme):
    assert Goal.objects.count() == 59
    assert KPI.objects.count() == 37
    assert Measure.objects.get(number="3.1").goals.count() == 16
    assert not Measure.objects.get(number="3.1").kpis.exists()
    assert Measure.objects.get(number="1.2").kpis.count() == 3


def test_goal_categories_are_kept(programme):
    categories = list(
        dict.fromkeys(Goal.objects.filter(measure__number="3.1").values_list("category", flat=True))
    )
    assert categories == [
        "Personal",
        "Umgangskultur und Werte",
        "Prozesse, Qualität der Arbeit",
        "Umwelt",
    ]
    goals_of_4_5 = Goal.objects.filter(measure__number="4.5")
    assert list(goals_of_4_5.values_list("category", "text")) == [
        ("Kurzfristig", "Initiierung einer Projektgruppe"),
        (
            "Langfristig",
            "Entwicklung eines Leitbildes für die Gesamtverwaltung in Ausrichtung an die "
            "Digitalisierung",
        ),
    ]


def test_goals_keep_their_target_as_written_and_the_date_read_from_it(programme):
    goal = Goal.objects.get(measure__number="1.1", order=1)
    assert goal.text.endswith("innerhalb der Stadtverwaltung bis Ende 2020")
    assert goal.target == "bis Ende 2020"
    assert goal.target_date.isoformat() == "2020-12-31"
    open_ended = Goal.objects.get(measure__number="1.10", order=2)
    assert (
        open_ended.target,
        open_ended.target_date.isoformat(),
        open_ended.target_open_ended,
    ) == (
        "ab 2021",
        "2021-01-01",
        True,
    )


@pytest.mark.parametrize(
    "number, cost, personnel, timeframe, quick_win",
    [
        ("1.1", "mittel", "gering", "mittelfristig", "nein"),  # ☆
        ("1.2", "mittel", "hoch", "mittelfristig", "ja"),  # ★
        ("1.3", "gering", "gering", "kurzfristig", ""),  # no icon: not rated
        ("1.4", "hoch", "mittel", "mittelfristig", "nein"),
        ("2.2", "mittel", "gering", "mittelfristig", "ja"),  # printed "gering →"
        ("3.5", "hoch", "mittel", "langfristig", "nein"),
        ("4.5", "gering", "gering", "mittelfristig", "ja"),  # 🌟
        # Printed "different", "gering", "mittelfristig" without icons: only the cost
        # ("different" is no level) and the quick win stay unrated.
        ("4.6", "", "gering", "mittelfristig", ""),
    ],
)
def test_ratings_are_as_printed(programme, number, cost, personnel, timeframe, quick_win):
    measure = Measure.objects.get(number=number)
    assert (
        measure.cost_rating,
        measure.personnel_rating,
        measure.timeframe_rating,
        measure.quick_win,
    ) == (cost, personnel, timeframe, quick_win)


def test_descriptions_are_markdown_with_headings_and_lists(programme):
    description = Measure.objects.get(number="3.1").description
    assert "### Pilotbereich 11/2 – Personalentwicklung und Ausbildung" in description
    assert "### Pilotbereich 51/8-2 – Amtsvormundschaften" in description
    assert "- Keine Bezüge zum Rechnungswesen" in description
    assert "ZIELE" not in description and "///" not in description


def test_the_legend_is_data_with_the_printed_definitions(programme):
    text = SEED_TEXT.read_text(encoding="utf-8")
    scales = list(RatingScale.objects.filter(programme=programme).values_list("kind", flat=True))
    assert scales == ["cost", "personnel", "timeframe", "quick_win"]
    definitions = RatingLevel.objects.exclude(definition="").values_list("level", "definition")
    assert len(definitions) == 11
    for level, definition in definitions:
        assert definition in text, (level, definition)
    assert RatingLevel.objects.get(scale__kind="personnel", level="mittel").definition == (
        "zwischen 2,0 und 5,0 VZV MA"
    )


def test_each_seed_measure_starts_its_history_with_its_whole_state(programme):
    measure = Measure.objects.get(number="1.2")

    [created] = measure.changes.all()

    assert created.action == "created" and created.source == "seed"
    assert [goal["text"] for goal in created.state["goals"]] == list(
        measure.goals.values_list("text", flat=True)
    )
    assert [kpi["name"] for kpi in created.state["kpis"]] == list(
        measure.kpis.values_list("name", flat=True)
    )


def test_descriptions_are_the_appendix_text_without_escape_characters(programme):
    # The appendix (as received) escapes gender stars for Markdown: "Bürger\*innen".
    appendix = SEED_TEXT.read_text(encoding="utf-8").replace("\\*", "*")
    descriptions = list(Measure.objects.values_list("number", "description"))

    assert not [number for number, text in descriptions if "\\" in text]
    starred = [number for number, text in descriptions if "*innen" in text]
    assert len(starred) == 11
    for number, text in descriptions:
        for paragraph in text.split("\n\n"):
            if "*innen" in paragraph:
                assert paragraph in appendix, (number, paragraph[:60])
