"""The measure list sorts by every column both ways and searches as people type.

Database behaviour matters here (collation, LOWER, LIKE): run this file on SQLite and on
PostgreSQL (DATABASE_URL=postgres://...).
"""

import pytest
from django.urls import reverse

from masterplan.models import Level, QuickWin, Timeframe
from measures.filters import SORT_LABELS, MeasureFilter
from measures.models import Goal, Measure, MeasureStatus, TrafficLight
from measures.services import measure_create
from measures.text import sort_key

pytestmark = pytest.mark.django_db

SORT_CHOICES = [value for value, _label in MeasureFilter.base_filters["sort"].extra["choices"]]


def listed(client, **query) -> list[dict]:
    response = client.get(reverse("measures:list"), query)
    assert response.status_code == 200
    return response.context["measures"]


def numbers(rows) -> list[str]:
    return [row["number"] for row in rows]


def number_key(row) -> tuple:
    return tuple(int(part) for part in row["number"].split("."))


RANKS = {
    "status": ("status", MeasureStatus.values),
    "cost": ("cost_rating", Level.values),
    "personnel": ("personnel_rating", Level.values),
    "timeframe": ("timeframe_rating", Timeframe.values),
    "quickwin": ("quick_win", QuickWin.values),
    "ampel": ("traffic_light", TrafficLight.by_urgency()),
}


def column_key(key: str, row: dict):
    """What the column sorts by, as a person reads it (unrated last)."""
    if key in ("number", "group"):
        return number_key(row)[0] if key == "group" else number_key(row)
    if key == "title":
        return (sort_key(row["title"]), row["title"])
    field, values = RANKS[key]
    return values.index(row[field]) if row[field] in values else len(values)


def test_every_sort_choice_is_offered_both_ways():
    assert set(SORT_CHOICES) == {*SORT_LABELS, *(f"-{key}" for key in SORT_LABELS)}


@pytest.mark.parametrize("choice", SORT_CHOICES)
def test_every_sort_order_answers_and_sorts_by_its_column(
    client, programme, committee_member, choice
):
    client.force_login(committee_member)
    key, descending = choice.removeprefix("-"), choice.startswith("-")

    rows = listed(client, sort=choice)

    assert len(rows) == 25
    shown = [column_key(key, row) for row in rows]
    assert shown == sorted(shown, reverse=descending)
    # Equal values stay in number order (descending by number: the whole number reversed).
    ties = [(column_key(key, row), number_key(row)) for row in rows]
    if key == "number":
        assert ties == sorted(ties, reverse=descending)
    else:
        for (value, number), (next_value, next_number) in zip(ties, ties[1:], strict=False):
            if value == next_value:
                assert number < next_number


@pytest.mark.parametrize("choice", SORT_CHOICES)
def test_every_sort_order_works_with_filters_and_htmx(client, programme, committee_member, choice):
    client.force_login(committee_member)

    response = client.get(
        reverse("measures:list"),
        {"sort": choice, "group": programme.working_groups.get(number=1).pk, "q": "Bürger"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response.context["measures"]
    assert all(row["working_group__numeral"] == "I" for row in response.context["measures"])


def test_column_headers_lead_to_working_sort_orders_both_ways(client, programme, committee_member):
    client.force_login(committee_member)
    url = reverse("measures:list")
    for column in client.get(url).context["columns"]:
        first = client.get(url + column["url"])
        assert first.status_code == 200, column["url"]
        [again] = [c for c in first.context["columns"] if c["key"] == column["key"]]
        second = client.get(url + again["url"])
        assert second.status_code == 200, again["url"]
        [shown] = [c for c in second.context["columns"] if c["key"] == column["key"]]
        assert {again["aria_sort"], shown["aria_sort"]} == {"ascending", "descending"}


def test_descending_number_and_group(client, programme, committee_member):
    client.force_login(committee_member)

    assert numbers(listed(client, sort="-number"))[:3] == ["4.6", "4.5", "4.4"]
    assert numbers(listed(client, sort="-number"))[-3:] == ["1.3", "1.2", "1.1"]
    by_group = numbers(listed(client, sort="-group"))
    assert by_group[:3] == ["4.1", "4.2", "4.3"] and by_group[-2:] == ["1.10", "1.11"]


def test_titles_sort_as_people_expect(client, programme, admin_user, committee_member):
    group = programme.working_groups.get(number=2)
    titles = ["Zentrale Dienste", "Ärztlicher Dienst", "Abfall", "Öffentlichkeit", "offene Daten"]
    for index, title in enumerate(titles, start=10):
        measure_create(
            programme=programme,
            data={"number": f"2.{index}", "working_group": group, "title": title},
        )
    client.force_login(committee_member)

    titles_shown = [row["title"] for row in listed(client, sort="title", group=group.pk)]

    seed = {number: Measure.objects.get(number=number).title for number in ("2.1", "2.2", "2.3")}
    assert [seed["2.1"][:6], seed["2.2"][:6], seed["2.3"][:6]] == ["Wissen", "Zentru", "Digita"]
    assert titles_shown == [
        "Abfall",
        "Ärztlicher Dienst",
        seed["2.3"],
        "offene Daten",
        "Öffentlichkeit",
        seed["2.1"],
        "Zentrale Dienste",
        seed["2.2"],
    ]
    seed_order = [row["title"] for row in listed(client, sort="title")]
    assert seed_order.index("Datenaustauschplattform") < seed_order.index("DMS und E-Akte")
    reversed_order = [row["title"] for row in listed(client, sort="-title")]
    assert reversed_order.index("DMS und E-Akte") < reversed_order.index("Datenaustauschplattform")


# --- Search --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["überarbeitung", "Überarbeitung", "ÜBERARBEITUNG"])
def test_search_ignores_case_including_umlauts(client, programme, committee_member, typed):
    client.force_login(committee_member)
    expected = {
        m.number
        for m in Measure.objects.all()
        if "überarbeitung" in f"{m.title} {m.description}".lower()
        or any("überarbeitung" in goal.text.lower() for goal in m.goals.all())
    }
    assert expected

    assert set(numbers(listed(client, q=typed))) == expected


def test_search_finds_kpi_names_progress_notes_and_responsible_units(
    client, programme, committee_member
):
    Measure.objects.filter(number="4.3").update(responsible_units="FB 99, Stabsstelle Übersicht")
    goal = Goal.objects.filter(measure__number="2.2").first()
    goal.progress_note = "Lernplattform ausgeschrieben, Zuschlag im Mai"
    goal.save()
    kpi = Measure.objects.get(number="1.6").kpis.first()
    client.force_login(committee_member)

    assert numbers(listed(client, q="stabsstelle übersicht")) == ["4.3"]
    assert numbers(listed(client, q="ZUSCHLAG")) == ["2.2"]
    assert "1.6" in numbers(listed(client, q=kpi.name.upper()))


def test_search_needs_every_word_somewhere_in_the_measure(client, programme, committee_member):
    client.force_login(committee_member)

    found = numbers(listed(client, q="e-akte DMS"))

    assert "1.4" in found
    for m in Measure.objects.filter(number__in=found):
        text = " ".join([m.title, m.description, *m.goals.values_list("text", flat=True)]).lower()
        assert "e-akte" in text and "dms" in text
    assert numbers(listed(client, q="dms gibtesnicht")) == []
    assert numbers(listed(client, q="1.1")) == ["1.1", "1.10", "1.11"]
    assert numbers(listed(client, q="5%1")) == []  # "%" is a character, not a wildcard
