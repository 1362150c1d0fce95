"""The DCAT-AP.de catalogue as GovData and Open.NRW harvest it, read back with rdflib, and the
KPI downloads it describes."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from kpis.models import KPI
from kpis.services import kpi_value_record
from tests.factories import MeasureFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

# Plain namespaces: rdflib's closed ones warn when pytest looks at the module's names.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DL_BY_DE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


def catalogue(client, suffix: str, rdf_format: str) -> Graph:
    response = client.get(f"/offene-daten/katalog{suffix}")
    assert response.status_code == 200
    return Graph().parse(data=response.content.decode("utf-8"), format=rdf_format)


@pytest.fixture
def kpi_values(public_programme, editor_group_1):
    """Two values of the first KPI of measure 1.1 in the seed."""
    kpi = KPI.objects.filter(measure__programme=public_programme).order_by("pk").first()
    kpi_value_record(kpi=kpi, date=date(2025, 6, 30), value=Decimal("12.5"), by=editor_group_1)
    kpi_value_record(
        kpi=kpi,
        date=date(2026, 1, 31),
        value=Decimal("1234.25"),
        note="=Zählung",
        by=editor_group_1,
    )
    return kpi


def only(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_each_public_programme_is_a_dataset_with_the_required_properties(
    client, site_url, public_programme, kpi_values
):
    MeasureFactory(programme=ProgrammeFactory(name="Internes Programm"), kpis=[{"name": "Intern"}])
    turtle = catalogue(client, ".ttl", "turtle")
    assert isomorphic(turtle, catalogue(client, ".jsonld", "json-ld"))

    catalog = next(turtle.subjects(RDF.type, DCAT.Catalog))
    assert catalog == URIRef(f"{site_url}/offene-daten/katalog")
    datasets = list(turtle.objects(catalog, DCAT.dataset))
    assert len(datasets) == 1  # the non-public programme is not in the catalogue
    dataset = datasets[0]
    assert (dataset, RDF.type, DCAT.Dataset) in turtle

    assert public_programme.name in only(turtle, dataset, DCTERMS["title"])
    assert only(turtle, dataset, DCTERMS["title"]).language == "de"
    assert len(only(turtle, dataset, DCTERMS.description)) > 50
    publisher = only(turtle, dataset, DCTERMS.publisher)
    assert only(turtle, publisher, FOAF.name) == Literal("Stadt Dortmund", lang="de")
    contact = only(turtle, dataset, DCAT.contactPoint)
    assert only(turtle, contact, VCARD.fn) == Literal("Stadt Dortmund", lang="de")
    keywords = {str(keyword) for keyword in turtle.objects(dataset, DCAT.keyword)}
    assert {"Kennzahlen", "Digitalisierung"} <= keywords
    period = only(turtle, dataset, DCTERMS.temporal)
    assert only(turtle, period, DCAT.startDate) == Literal("2025-06-30", datatype=XSD.date)
    assert only(turtle, period, DCAT.endDate) == Literal("2026-01-31", datatype=XSD.date)
    assert only(turtle, dataset, DCATDE.politicalGeocodingURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/stateKey/05"
    )
    assert only(turtle, dataset, DCATDE.politicalGeocodingLevelURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/Level/state"
    )
    assert only(turtle, dataset, DCTERMS.modified).datatype == XSD.dateTime

    distributions = list(turtle.objects(dataset, DCAT.distribution))
    formats = {only(turtle, d, DCTERMS["format"]) for d in distributions}
    assert formats == {URIRef(FILE_TYPE + "CSV"), URIRef(FILE_TYPE + "JSON")}
    for distribution in distributions:
        assert (distribution, RDF.type, DCAT.Distribution) in turtle
        assert only(turtle, distribution, DCTERMS.license) == DL_BY_DE
        assert only(turtle, distribution, DCATDE.licenseAttributionByText)
        assert only(turtle, distribution, DCTERMS.modified).datatype == XSD.dateTime
        access_url = str(only(turtle, distribution, DCAT.accessURL))
        download = client.get(access_url.removeprefix(site_url))
        assert download.status_code == 200, access_url
        assert download["Access-Control-Allow-Origin"] == "*"


def test_licence_geocoding_and_contact_are_configurable(
    client, settings, public_programme, kpi_values
):
    settings.OPENDATA_LICENSE_URI = "http://dcat-ap.de/def/licenses/cc-by/4.0"
    settings.OPENDATA_POLITICAL_GEOCODING_URI = (
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05913000"
    )
    settings.OPENDATA_PUBLISHER_NAME = "Stadt Dortmund, Dortmunder Systemhaus"
    settings.OPENDATA_CONTACT_NAME = "Open-Data-Team"
    settings.OPENDATA_CONTACT_EMAIL = "opendata@example.org"
    settings.OPENDATA_CONTRIBUTOR_ID = "http://dcat-ap.de/def/contributors/openNRW"
    graph = catalogue(client, "", "turtle")  # Turtle by default
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))

    assert only(graph, dataset, DCATDE.politicalGeocodingURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05913000"
    )
    assert only(graph, dataset, DCATDE.politicalGeocodingLevelURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
    )
    assert only(graph, dataset, DCATDE.contributorID) == URIRef(
        "http://dcat-ap.de/def/contributors/openNRW"
    )
    publisher = only(graph, dataset, DCTERMS.publisher)
    assert str(only(graph, publisher, FOAF.name)) == "Stadt Dortmund, Dortmunder Systemhaus"
    contact = only(graph, dataset, DCAT.contactPoint)
    assert str(only(graph, contact, VCARD.fn)) == "Open-Data-Team"
    assert only(graph, contact, VCARD.hasEmail) == URIRef("mailto:opendata@example.org")
    for distribution in graph.objects(dataset, DCAT.distribution):
        assert only(graph, distribution, DCTERMS.license) == URIRef(
            "http://dcat-ap.de/def/licenses/cc-by/4.0"
        )


def test_the_catalogue_speaks_json_ld_to_who_asks_for_it(client, public_programme):
    response = client.get("/offene-daten/katalog", HTTP_ACCEPT="application/ld+json")
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert "Accept" in [header.strip() for header in response["Vary"].split(",")]
    graph = Graph().parse(data=response.content.decode("utf-8"), format="json-ld")
    assert next(graph.subjects(RDF.type, DCAT.Catalog))


def test_the_csv_download_follows_the_german_export_conventions(
    client, public_programme, kpi_values
):
    response = client.get(f"/offene-daten/programm/{public_programme.pk}/kennzahlen.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM, as Excel wants it
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Arbeitsgruppe", "Maßnahme", "Maßnahmentitel", "Kennzahl"]
    header = rows[0]
    values = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(row["Stichtag"], row["Wert"]) for row in values] == [
        ("30.06.2025", "12,5"),
        ("31.01.2026", "1234,25"),
    ]
    assert values[0]["Kennzahl"] == kpi_values.name
    assert values[0]["Maßnahme"] == kpi_values.measure.number
    assert values[1]["Bemerkung"] == "'=Zählung"  # no formula for a spreadsheet to run


def test_the_json_download_has_iso_dates_and_numbers(client, public_programme, kpi_values):
    response = client.get(f"/offene-daten/programm/{public_programme.pk}/kennzahlen.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["license"] == str(DL_BY_DE)
    assert document["publisher"] == "Stadt Dortmund"
    kpi = next(item for item in document["kpis"] if item["kpi"] == kpi_values.name)
    assert kpi["measure"] == kpi_values.measure.number
    assert kpi["values"] == [
        {"date": "2025-06-30", "value": 12.5, "note": ""},
        {"date": "2026-01-31", "value": 1234.25, "note": "=Zählung"},
    ]
    assert len(document["kpis"]) == KPI.objects.filter(measure__programme=public_programme).count()


def test_a_programme_that_is_not_public_has_no_downloads(client, programme):
    for suffix in ("csv", "json"):
        response = client.get(f"/offene-daten/programm/{programme.pk}/kennzahlen.{suffix}")
        assert response.status_code == 404
    graph = catalogue(client, ".ttl", "turtle")
    assert list(graph.subjects(RDF.type, DCAT.Dataset)) == []
