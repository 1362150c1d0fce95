"""Pagination, filters like the staff list page, and a stable order."""

import pytest

from measures.models import Measure

pytestmark = pytest.mark.django_db


def _all(client, url):
    rows = []
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_pages_cover_every_measure_once_in_number_order(client, world):
    rows = _all(client, "/api/v1/measures/?page_size=7")
    numbers = [row["number"] for row in rows]
    expected = list(
        Measure.objects.filter(programme=world.programme)
        .in_number_order()
        .values_list("number", flat=True)
    )
    assert numbers == expected  # 25 measures on 4 pages, none twice, none missing
    first = client.get("/api/v1/measures/?page_size=7").json()
    assert first["count"] == 25 and len(first["results"]) == 7
    assert first["previous"] is None and "page=2" in first["next"]


def test_the_page_size_has_a_ceiling(client, world):
    page = client.get("/api/v1/goals/?page_size=100000").json()
    assert len(page["results"]) == min(page["count"], 200)


def test_a_page_past_the_last_is_404(client, world):
    assert client.get("/api/v1/measures/?page=99").status_code == 404


def test_filters_as_on_the_list_page(client, world):
    group = world.measure_internal.working_group
    in_group = _all(client, f"/api/v1/measures/?group={group.pk}&page_size=200")
    assert in_group and {row["working_group"] for row in in_group} == {group.pk}
    at_risk = _all(client, "/api/v1/measures/?ampel=gefaehrdet")
    assert [row["id"] for row in at_risk] == [world.measure_internal.pk]
    no_light = _all(client, "/api/v1/measures/?ampel=keine&page_size=200")
    assert len(no_light) == 23
    searched = _all(client, "/api/v1/measures/?q=bring%20your%20own")
    assert [row["number"] for row in searched] == ["1.1"]
    urgent = _all(client, "/api/v1/measures/?sort=ampel&page_size=200")
    assert [row["traffic_light"] for row in urgent[:2]] == ["kritisch", "gefaehrdet"]
    quick = _all(client, "/api/v1/measures/?is_quickwin=ja&page_size=200")
    assert all(row["quick_win"] in ("ja", "teilweise") for row in quick)


def test_an_invalid_filter_names_the_parameter(client, world):
    response = client.get("/api/v1/measures/?ampel=lila")
    assert response.status_code == 400
    assert "ampel" in response.json()
    response = client.get("/api/v1/status-updates/?measure=x")
    assert response.status_code == 400
    assert "measure" in response.json()


def test_kpis_carry_their_values(client, world):
    rows = _all(client, "/api/v1/kpis/?page_size=200")
    valued = [row for row in rows if row["values"]]
    assert len(valued) == 1
    (value,) = valued[0]["values"]
    assert value["date"] == "2026-01-31" and value["value"] == "12.0000"
    assert set(value) == {"id", "kpi", "date", "value", "note"}


@pytest.mark.parametrize(
    "resource",
    ["programmes", "working-groups", "measures", "goals", "kpis", "status-updates", "rounds"],
)
def test_a_list_page_costs_a_few_queries_however_long(
    client, world, committee_member, bearer, django_assert_max_num_queries, resource
):
    """No query per row (e.g. a role check per status update, the values per KPI)."""
    for headers in ({}, bearer(committee_member)):
        with django_assert_max_num_queries(6):
            response = client.get(f"/api/v1/{resource}/?page_size=200", **headers)
        assert response.json()["count"] > 0
