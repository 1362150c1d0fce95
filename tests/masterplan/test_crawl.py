"""No page a user can reach answers with a server error.

Each persona starts at the overview and follows every same-site link the pages render (hrefs
and htmx `hx-get`s), and submits every option of every GET form one at a time (each sort, each
filter value, each radio button and checkbox, a search word), page after page, as far as the
links lead. Any answer >= 500 fails the test with the list of URLs. Runs on whatever database
the suite runs on (SQLite and PostgreSQL in CI).
"""

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kpis.models import KPI
from kpis.services import kpi_value_record
from measures.models import Measure
from measures.services import measure_update
from reports.services import report_build, report_fail, report_request, round_close_and_report
from rounds.models import StatusUpdate, UpdateAction
from rounds.services import update_save, update_transition
from tests.factories import ReportingRoundFactory
from transfer.services import import_run_start, programme_import

FILES = Path(__file__).parents[1] / "transfer" / "files"
# Bounds, so the crawl ends in seconds whatever the pages link to. Every measure's pages are
# visited; of the admin's pages per object (Django's own templates) only a few of each kind.
MAX_PAGES = 1500
MAX_QUERIES_PER_PATH = 80
MAX_ADMIN_QUERIES_PER_PATH = 10
MAX_ADMIN_OBJECTS_PER_KIND = 3
SEARCH_WORD = "Überarbeitung"
ADMIN_RETURN_PARAMETERS = ("_changelist_filters", "_popup", "_to_field")
NOT_FOLLOWED = ("/static/", "/media/", "/konto/logout/", "/admin/logout/", "/i18n/")


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # defaults, as the browser sends
    choices: dict[str, list[str]] = field(default_factory=dict)  # select and radio options
    checkboxes: list[tuple[str, str]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class PageParser(HTMLParser):
    """The links (href, hx-get) and GET forms of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, bool]] = []  # (url, is_htmx)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_default: str | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], False))
        if attrs.get("hx-get") is not None and tag != "form":
            self.links.append((attrs["hx-get"], True))
        if tag == "form":
            get = (attrs.get("method") or "get").lower() == "get"
            self._form = Form(action=attrs.get("action") or "") if get else None
            if self._form is not None:
                self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            value = attrs.get("value") or ""
            if kind in ("radio", "checkbox"):
                value = attrs.get("value", "on")
                if "checked" in attrs:
                    self._form.fields.append((name, value))
                if kind == "radio":
                    self._form.choices.setdefault(name, []).append(value)
                else:
                    self._form.checkboxes.append((name, value))
            elif kind == "submit":
                self._form.buttons.append((name, value))
            elif kind not in ("button", "reset", "file", "image"):
                self._form.fields.append((name, value))
                if kind in ("text", "search"):
                    self._form.texts.append(name)
        elif tag == "button" and name and (attrs.get("type") or "submit") == "submit":
            self._form.buttons.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_default, self._select_first = name, None, None
            self._form.choices.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self._form.choices[self._select].append(value)
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self._select_default = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._form is not None:
            default = self._select_default if self._select_default is not None else ""
            if self._select_default is None and self._select_first is not None:
                default = self._select_first
            self._form.fields.append((self._select, default))
            self._select = None
        if tag == "form":
            self._form = None


def _variants(form: Form) -> list[list[tuple[str, str]]]:
    """The form as sent with its defaults, and once for each other option of each field."""
    base = form.fields
    variants = [base]

    def replaced(name, value):
        return [(key, val) for key, val in base if key != name] + [(name, value)]

    for name, options in form.choices.items():
        variants.extend(replaced(name, option) for option in options)
    for name, value in form.checkboxes:
        if (name, value) in base:
            variants.append([pair for pair in base if pair != (name, value)])
        else:
            variants.append([*base, (name, value)])
    for name in form.texts:
        variants.append(replaced(name, SEARCH_WORD))
    for button in form.buttons:
        variants.append([*base, button])
    return variants


def _normalised(url: str) -> str | None:
    """The URL to request (path and sorted query), or None if it leaves the site or is skipped."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(NOT_FOLLOWED):
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if parts.path.startswith("/admin/"):
        # Where to return to after saving: the same page whatever the value.
        pairs = [(key, value) for key, value in pairs if key not in ADMIN_RETURN_PARAMETERS]
    query = urlencode(sorted(pairs))
    return urlunsplit(("", "", parts.path, query, ""))


@dataclass
class CrawlResult:
    visited: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    truncated: bool = False


def crawl(client: Client, start: str = "/") -> CrawlResult:
    result = CrawlResult()
    queries_per_path: dict[str, int] = {}
    objects_per_kind: dict[str, int] = {}
    queue: deque[tuple[str, bool, str]] = deque([(start, False, "(start)")])
    while queue:
        url, htmx, referrer = queue.popleft()
        key = ("hx " if htmx else "") + url
        if key in result.visited:
            continue
        path = urlsplit(url).path
        admin = path.startswith("/admin/")
        if queries_per_path.get(path, 0) >= (
            MAX_ADMIN_QUERIES_PER_PATH if admin else MAX_QUERIES_PER_PATH
        ):
            continue
        kind = re.sub(r"/\d+/", "/N/", path)
        if admin and kind != path and path not in queries_per_path:
            if objects_per_kind.get(kind, 0) >= MAX_ADMIN_OBJECTS_PER_KIND:
                continue
            objects_per_kind[kind] = objects_per_kind.get(kind, 0) + 1
        if len(result.visited) >= MAX_PAGES:
            result.truncated = True
            break
        result.visited.add(key)
        queries_per_path[path] = queries_per_path.get(path, 0) + 1
        response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            reason = f" {error[0].__name__}: {error[1]}" if error else ""
            result.errors.append(f"{response.status_code} {key} (linked from {referrer}){reason}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser()
        parser.feed(response.content.decode())
        found = [(link, is_htmx) for link, is_htmx in parser.links]
        for form in parser.forms:
            action = form.action or url
            for fields in _variants(form):
                found.append((f"{urljoin(action, '?')}?{urlencode(fields)}", False))
        for link, is_htmx in found:
            target = _normalised(urljoin(url, link))
            if target and (("hx " if is_htmx else "") + target) not in result.visited:
                queue.append((target, is_htmx, url))
    return result


@pytest.fixture
def lived_in_programme(
    programme, admin_user, editor_group_1, lead_group_1, settings, tmp_path, monkeypatch
):
    """The seed after some weeks of use, so that every kind of page has something to show."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("measures.views.PAGE_SIZE", 10)  # the list has more than one page
    measure = Measure.objects.get(number="1.2")
    measure_update(
        measure=measure,
        data={"status": "in_umsetzung"},
        expected_version=measure.version,
        by=admin_user,
    )
    kpi = KPI.objects.filter(measure=measure).first()
    kpi_value_record(kpi=kpi, date=date(2021, 6, 30), value=Decimal("12500"), by=admin_user)
    for ds_number, by in (("15160-19", admin_user), ("", None)):  # web, command-line draft
        report = report_request(
            programme=programme,
            title="Anhang zum Sachstandsbericht",
            ds_number=ds_number,
            report_date=date(2021, 7, 1),
            working_group_numbers=[4],
            by=by,
            enqueue=False,
        )
        report_build(report_id=report.pk)
    failed = report_request(
        programme=programme, title="Bericht", ds_number="1-21", report_date=date(2021, 7, 2),
        enqueue=False,
    )  # fmt: skip
    report_fail(report=failed, reason="Der Drucker brennt.")
    report_request(
        programme=programme,
        title="Bericht",
        ds_number="2-21",
        report_date=date(2021, 7, 3),
        enqueue=False,
    )  # fmt: skip  (stays queued)
    programme_import(
        programme=programme,
        file_name="kpi-values.csv",
        data=(FILES / "kpi-values.csv").read_bytes(),
        by=admin_user,
    )
    programme_import(
        programme=programme,
        file_name="bad-rating.csv",
        data=(FILES / "bad-rating.csv").read_bytes(),
        by=admin_user,
    )
    upload = SimpleUploadedFile("goals-comma.csv", (FILES / "goals-comma.csv").read_bytes())
    import_run_start(programme=programme, file_name="goals-comma.csv", upload=upload, by=admin_user)
    _rounds(programme, admin_user, editor_group_1, lead_group_1)
    return programme


def _rounds(programme, admin_user, editor, lead):
    """A closed round with its report (1.1 approved) and a running one (1.2 submitted)."""

    def reported(round_, number, *, approve):
        update = StatusUpdate.objects.get(round=round_, measure__number=number)
        update = update_save(
            update=update,
            data={
                "traffic_light": "gefaehrdet",
                "traffic_light_reason": "Stelle unbesetzt",
                "achieved": "Konzept abgestimmt.",
                "decision_needed": "Mittel freigeben",
            },
            expected_version=update.version,
            by=editor,
        )
        update = update_transition(update=update, action=UpdateAction.SUBMIT, by=editor)
        if approve:
            update_transition(update=update, action=UpdateAction.APPROVE, by=lead)

    closed = ReportingRoundFactory(
        programme=programme, name="Sachstand 2/2021", reporting_date=date(2021, 6, 30),
        open=True, by=admin_user,
    )  # fmt: skip
    reported(closed, "1.1", approve=True)
    report = round_close_and_report(
        round=closed, include_unapproved=False, ds_number="3-21", by=admin_user, enqueue=False
    )
    report_build(report_id=report.pk)
    running = ReportingRoundFactory(
        programme=programme, name="Sachstand 1/2022", reporting_date=date(2021, 12, 31),
        open=True, by=admin_user,
    )  # fmt: skip
    reported(running, "1.2", approve=False)


PERSONAS = ["admin_user", "editor_group_1", "editor_group_2", "lead_group_1", "committee_member"]
# (persona, language): everyone in German, the committee once more in English.
RUNS = [*((persona, "de") for persona in PERSONAS), ("committee_member", "en")]


def test_no_page_a_persona_can_reach_answers_with_a_server_error(
    request, settings, lived_in_programme
):
    errors, incomplete = [], []
    for persona, language in RUNS:  # one test: the data above are built once
        client = Client(raise_request_exception=False)
        client.force_login(request.getfixturevalue(persona))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        result = crawl(client)
        persona = f"{persona} ({language})"
        errors += [f"{persona}: {error}" for error in result.errors]
        paths = {urlsplit(key.removeprefix("hx ")).path for key in result.visited}
        reached = {
            "overview": "/" in paths,
            "list page 2": any("page=2" in key for key in result.visited),
            "measure pages": sum(re.fullmatch(r"/massnahmen/\d+/", p) is not None for p in paths),
            "report pages": sum(re.fullmatch(r"/berichte/\d+/", p) is not None for p in paths),
            "export": "/import-export/" in paths,
            "round pages": sum(re.fullmatch(r"/runden/\d+/", p) is not None for p in paths),
            "status updates": any(re.fullmatch(r"/runden/meldung/\d+/", p) for p in paths),
            "bounded": not result.truncated,
        }
        if not all(reached.values()) or reached["measure pages"] < 25:
            incomplete.append(f"{persona}: {reached}")
    assert not errors, "Server errors:\n" + "\n".join(errors)
    # The crawl really went through the pages, not just the overview.
    assert not incomplete, "Crawl did not reach everything:\n" + "\n".join(incomplete)
