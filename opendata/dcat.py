"""The open-data catalogue in DCAT-AP.de (https://www.dcat-ap.de/def/), as harvested by GovData
and Open.NRW: one `dcat:Dataset` per public programme (its KPI values) with a CSV and a JSON
`dcat:Distribution`.

The catalogue is built once as RDF triples (`catalogue_graph`) and written as Turtle or
JSON-LD from those same triples, so the two formats cannot disagree. rdflib is not needed at
runtime; the tests read both formats back with it.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from masterplan.models import Programme

from .kpidata import kpi_dataset_facts
from .oparl import EPOCH, website_url

PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
RDF_TYPE = PREFIXES["rdf"] + "type"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
THEME_GOVERNMENT = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
LANGUAGE_GERMAN = "http://publications.europa.eu/resource/authority/language/DEU"
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level/"
# The level of a political geocoding URI follows from its key type.
LEVEL_BY_KEY = {
    "stateKey": "state",
    "districtKey": "administrativeDistrict",
    "municipalityKey": "municipality",
    "regionalKey": "municipality",
    "municipalAssociationKey": "municipality",
}


@dataclass(frozen=True)
class IRI:
    value: str


@dataclass(frozen=True)
class Blank:
    label: str


@dataclass(frozen=True)
class Literal:
    value: str
    datatype: str = ""  # a prefixed name, e.g. "xsd:date"
    language: str = ""


def german(text: str) -> Literal:
    return Literal(text, language="de")


def typed(value: date | datetime) -> Literal:
    if isinstance(value, datetime):
        return Literal(timezone.localtime(value).isoformat(timespec="seconds"), "xsd:dateTime")
    return Literal(value.isoformat(), "xsd:date")


def term(name: str) -> str:
    """ "dct:title" → the full IRI."""
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local


class Graph:
    """Triples in the order they were added; subjects keep their first position."""

    def __init__(self):
        self.triples: list[tuple] = []
        self._seen: set[tuple] = set()
        self._blanks = 0

    def blank(self) -> Blank:
        self._blanks += 1
        return Blank(f"b{self._blanks}")

    def add(self, subject, predicate: str, obj) -> None:
        """`predicate` is a prefixed name ("dct:title") or "a" for rdf:type."""
        triple = (subject, RDF_TYPE if predicate == "a" else term(predicate), obj)
        if triple not in self._seen:  # one publisher IRI for several datasets: said once
            self._seen.add(triple)
            self.triples.append(triple)

    def subjects(self) -> dict:
        grouped: dict = {}
        for subject, predicate, obj in self.triples:
            grouped.setdefault(subject, []).append((predicate, obj))
        return grouped


# Settings


def publisher_name(programme: Programme | None) -> str:
    if settings.OPENDATA_PUBLISHER_NAME:
        return settings.OPENDATA_PUBLISHER_NAME
    if programme is not None:
        return programme.organisation or programme.name
    return settings.OPARL_SYSTEM_NAME


def geocoding_level_uri() -> str:
    if settings.OPENDATA_POLITICAL_GEOCODING_LEVEL_URI:
        return settings.OPENDATA_POLITICAL_GEOCODING_LEVEL_URI
    match = re.search(r"/politicalGeocoding/(\w+)/", settings.OPENDATA_POLITICAL_GEOCODING_URI)
    level = LEVEL_BY_KEY.get(match.group(1)) if match else None
    return GEOCODING_LEVEL + level if level else ""


def site_url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(f"opendata:{name}", kwargs=kwargs)


# The catalogue


def _publisher(graph: Graph, programme: Programme | None):
    uri = settings.OPENDATA_PUBLISHER_URI
    node = IRI(uri) if uri else graph.blank()
    graph.add(node, "a", IRI(term("foaf:Organization")))
    graph.add(node, "foaf:name", german(publisher_name(programme)))
    return node


def _contact_point(graph: Graph, programme: Programme):
    node = graph.blank()
    graph.add(node, "a", IRI(term("vcard:Organization")))
    graph.add(node, "vcard:fn", german(settings.OPENDATA_CONTACT_NAME or publisher_name(programme)))
    if settings.OPENDATA_CONTACT_EMAIL:
        graph.add(node, "vcard:hasEmail", IRI("mailto:" + settings.OPENDATA_CONTACT_EMAIL))
    graph.add(node, "vcard:hasURL", IRI(website_url()))
    return node


DISTRIBUTIONS = (
    # (format, URL name, media type, title)
    ("CSV", "kpi_values_csv", "text/csv", "Kennzahlwerte als CSV (Semikolon, deutsche Zahlen)"),
    ("JSON", "kpi_values_json", "application/json", "Kennzahlwerte als JSON"),
)


def _dataset(graph: Graph, programme: Programme) -> tuple[IRI, datetime]:
    facts = kpi_dataset_facts(programme)
    catalogue = site_url("catalogue")
    dataset = IRI(f"{catalogue}#programm-{programme.pk}")
    graph.add(dataset, "a", IRI(term("dcat:Dataset")))
    graph.add(dataset, "dct:identifier", Literal(dataset.value))
    graph.add(dataset, "dct:title", german(f"Kennzahlen: {programme.name}"))
    graph.add(
        dataset,
        "dct:description",
        german(
            f"Die Kennzahlen der Maßnahmen des Programms „{programme.name}“ "
            f"({publisher_name(programme)}) mit ihren gemessenen Werten: je Wert "
            "Arbeitsgruppe, Maßnahme, Kennzahl, Einheit, Zielwert, Stichtag und Bemerkung."
        ),
    )
    graph.add(dataset, "dct:publisher", _publisher(graph, programme))
    graph.add(dataset, "dcat:contactPoint", _contact_point(graph, programme))
    for keyword in settings.OPENDATA_KEYWORDS:
        graph.add(dataset, "dcat:keyword", german(keyword))
    graph.add(dataset, "dcat:theme", IRI(THEME_GOVERNMENT))
    graph.add(dataset, "dct:language", IRI(LANGUAGE_GERMAN))
    if facts.first_date is not None:
        period = graph.blank()
        graph.add(period, "a", IRI(term("dct:PeriodOfTime")))
        graph.add(period, "dcat:startDate", typed(facts.first_date))
        graph.add(period, "dcat:endDate", typed(facts.last_date))
        graph.add(dataset, "dct:temporal", period)
    graph.add(
        dataset, "dcatde:politicalGeocodingURI", IRI(settings.OPENDATA_POLITICAL_GEOCODING_URI)
    )
    level = geocoding_level_uri()
    if level:
        graph.add(dataset, "dcatde:politicalGeocodingLevelURI", IRI(level))
    if settings.OPENDATA_CONTRIBUTOR_ID:
        graph.add(dataset, "dcatde:contributorID", IRI(settings.OPENDATA_CONTRIBUTOR_ID))
    graph.add(dataset, "dct:modified", typed(facts.modified))
    attribution = settings.OPENDATA_LICENSE_ATTRIBUTION or publisher_name(programme)
    for file_type, url_name, media_type, title in DISTRIBUTIONS:
        url = site_url(url_name, programme=programme.pk)
        distribution = IRI(f"{dataset.value}-{file_type.lower()}")
        graph.add(dataset, "dcat:distribution", distribution)
        graph.add(distribution, "a", IRI(term("dcat:Distribution")))
        graph.add(distribution, "dct:title", german(title))
        graph.add(distribution, "dcat:accessURL", IRI(url))
        graph.add(distribution, "dcat:downloadURL", IRI(url))
        graph.add(distribution, "dct:format", IRI(FILE_TYPE + file_type))
        graph.add(distribution, "dcat:mediaType", IRI(MEDIA_TYPE + media_type))
        graph.add(distribution, "dct:license", IRI(settings.OPENDATA_LICENSE_URI))
        graph.add(distribution, "dcatde:licenseAttributionByText", german(attribution))
        graph.add(distribution, "dct:modified", typed(facts.modified))
    return dataset, facts.modified


def catalogue_graph(programmes) -> Graph:
    graph = Graph()
    catalogue = IRI(site_url("catalogue"))
    programmes = list(programmes)
    graph.add(catalogue, "a", IRI(term("dcat:Catalog")))
    graph.add(catalogue, "dct:title", german(f"{settings.OPARL_SYSTEM_NAME}: offene Daten"))
    graph.add(
        catalogue,
        "dct:description",
        german("Kennzahlen der öffentlichen Programme und ihrer Maßnahmen als offene Daten."),
    )
    graph.add(catalogue, "dct:publisher", _publisher(graph, programmes[0] if programmes else None))
    graph.add(catalogue, "dct:language", IRI(LANGUAGE_GERMAN))
    graph.add(catalogue, "foaf:homepage", IRI(website_url()))
    modified = EPOCH
    for programme in programmes:
        dataset, dataset_modified = _dataset(graph, programme)
        graph.add(catalogue, "dcat:dataset", dataset)
        modified = max(modified, dataset_modified)
    graph.add(catalogue, "dct:modified", typed(modified))
    return graph


# Writing


def _turtle_string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _turtle_iri(value: str) -> str:
    # Characters an IRIREF may not hold, as \u escapes (settings are typed by people).
    return (
        "<"
        + "".join(f"\\u{ord(c):04X}" if c in '<>"{}|^`\\' or ord(c) <= 0x20 else c for c in value)
        + ">"
    )


def _turtle_term(node) -> str:
    if isinstance(node, IRI):
        for prefix, namespace in PREFIXES.items():
            local = node.value.removeprefix(namespace)
            if local != node.value and re.fullmatch(r"[A-Za-z][\w-]*", local):
                return f"{prefix}:{local}"
        return _turtle_iri(node.value)
    if isinstance(node, Blank):
        return f"_:{node.label}"
    text = _turtle_string(node.value)
    if node.language:
        return f"{text}@{node.language}"
    if node.datatype:
        return f"{text}^^{node.datatype}"
    return text


def to_turtle(graph: Graph) -> str:
    lines = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES.items()]
    for subject, statements in graph.subjects().items():
        lines.append("")
        parts = [
            f"    {'a' if predicate == RDF_TYPE else _turtle_term(IRI(predicate))} "
            f"{_turtle_term(obj)}"
            for predicate, obj in statements
        ]
        lines.append(_turtle_term(subject) + "\n" + " ;\n".join(parts) + " .")
    return "\n".join(lines) + "\n"


def _jsonld_value(node) -> dict:
    if isinstance(node, IRI):
        return {"@id": node.value}
    if isinstance(node, Blank):
        return {"@id": f"_:{node.label}"}
    value = {"@value": node.value}
    if node.language:
        value["@language"] = node.language
    elif node.datatype:
        value["@type"] = term(node.datatype)
    return value


def to_jsonld(graph: Graph) -> str:
    nodes = []
    for subject, statements in graph.subjects().items():
        node = {"@id": subject.value if isinstance(subject, IRI) else f"_:{subject.label}"}
        for predicate, obj in statements:
            if predicate == RDF_TYPE:
                node.setdefault("@type", []).append(obj.value)
            else:
                node.setdefault(predicate, []).append(_jsonld_value(obj))
        nodes.append(node)
    return json.dumps({"@graph": nodes}, ensure_ascii=False, indent=1)
