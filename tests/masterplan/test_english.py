"""English is a real second language: every text in the code is in the catalogue and translated,
English pages show unambiguous dates ("25 Nov 2026") and no German labels, German pages keep
German dates ("25.11.2026")."""

import ast
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import CharField, TextField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import override

from kpis.models import KPI, KPIValue
from kpis.services import kpi_value_record
from masterplan.models import Programme, RatingLevel, RatingScale, WorkingGroup
from measures.models import ChangeRecord, Goal, GoalStatus, Measure, MeasureStatus
from measures.services import measure_update
from reports.models import ReportState, StatusReport
from reports.snapshot import report_snapshot
from transfer.models import ImportRun

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
GERMAN_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
ENTRY_LINE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$")


# The catalogue ---------------------------------------------------------------------------------


def read_catalogue(path: Path) -> dict[tuple, dict]:
    """A .po file as {(msgctxt, msgid, msgid_plural): {"strings": [...], "fuzzy": bool}}."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        fuzzy = False
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
            elif match := re.match(
                r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line
            ):
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
        if fields.get("msgid"):
            key = (fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"))
            strings = [value for name, value in fields.items() if name.startswith("msgstr")]
            entries[key] = {"strings": strings, "fuzzy": fuzzy}
    return entries


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = read_catalogue(CATALOGUE)

    untranslated = [key[1] for key, entry in entries.items() if not all(entry["strings"])]
    fuzzy = [key[1] for key, entry in entries.items() if entry["fuzzy"]]

    assert len(entries) > 500
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_is_not_older_than_the_catalogue():
    compiled = CATALOGUE.with_suffix(".mo")
    translated = translation.gettext  # not a call makemessages would collect
    with override("en"):
        # A recent entry: present in the .mo only if it was compiled after the .po was filled.
        assert translated("Diese Kennzahl ist doppelt aufgeführt.") == "This KPI is listed twice."
    assert compiled.exists()


_NOT_SOURCES = shutil.ignore_patterns(
    ".*",
    "__pycache__",
    "var",
    "media",
    "staticfiles",
    "artifacts",
    "node_modules",
    "*.sqlite3",
    "*.egg-info",
    "locale",
    "static",
)


def test_every_text_in_the_code_is_in_the_committed_catalogue(tmp_path):
    """makemessages on a copy of the sources: a new German text without an entry fails here."""
    copy = tmp_path / "src"
    shutil.copytree(BASE_DIR, copy, ignore=_NOT_SOURCES)
    (copy / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(CATALOGUE, copy / "locale" / "en" / "LC_MESSAGES" / "django.po")

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=120,
    )

    committed = read_catalogue(CATALOGUE)
    current = read_catalogue(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = sorted(key[1] for key in current.keys() - committed.keys())
    assert missing == [], (
        "Texts without an English translation; run makemessages and translate them "
        "(README, 'Translations')."
    )


# English pages ---------------------------------------------------------------------------------

# Labels and words of the interface that an English page must not show (data are neutralised).
GERMAN_WORDS = [
    "Maßnahme", "Maßnahmen", "Ziel", "Ziele", "Kennzahl", "Kennzahlen", "Kennzahlwert",
    "Kennzahlwerte", "Arbeitsgruppe", "Arbeitsgruppen", "Stichtag", "Wert", "Werte", "Verlauf",
    "Bericht", "Berichte", "Entwurf", "geplant", "in Umsetzung", "abgeschlossen", "zurückgestellt",
    "offen", "in Arbeit", "erreicht", "verzögert", "entfallen", "gering", "mittel", "hoch",
    "kurzfristig", "mittelfristig", "langfristig", "teilweise", "ja", "nein", "geändert",
    "angelegt", "gelöscht", "Quelle", "Grunddaten", "Web-Oberfläche", "fertig", "neu", "bisher",
    "Vorschau", "Blatt", "Zeile", "Spalte", "Fehler", "am", "vom", "bis", "und", "oder", "nicht",
    "der", "die", "das", "mit", "seit", "Sie", "Bitte",
]  # fmt: skip
GERMAN_WORD = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, GERMAN_WORDS)) + r")(?![\w-])")


class _Text(HTMLParser):
    """What a person reads: text outside script/style, and the labels of attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _neutralise(model, *, keep=()):
    """Free text of the seed (German content, not interface) becomes "Lorem <id>"."""
    updates = {
        field.name: Concat(Value("Lorem "), Cast("pk", CharField()))
        for field in model._meta.fields
        if isinstance(field, CharField | TextField)
        and not field.choices
        and field.name not in keep
        and not field.primary_key
    }
    if updates:
        model.objects.update(**updates)


@pytest.fixture
def neutral_programme(programme, admin_user):
    """The seed with neutral texts, a done report, and a change after it (with a KPI value)."""
    for model, keep in (
        (Programme, ()),
        (WorkingGroup, ("numeral",)),
        (Measure, ("number",)),
        (Goal, ()),
        (KPI, ()),
        (KPIValue, ()),
        (RatingScale, ("kind",)),
        (RatingLevel, ("level",)),
    ):
        _neutralise(model, keep=keep)
    Goal.objects.update(target="")
    ChangeRecord.objects.all().delete()  # the seed's records hold its German texts
    report_date = timezone.localdate() - timedelta(days=30)
    with override("en"):
        snapshot = report_snapshot(
            programme=programme, title="Annex", ds_number="300-20", report_date=report_date
        )
    StatusReport.objects.create(
        programme=programme,
        title="Annex",
        ds_number="300-20",
        report_date=report_date,
        state=ReportState.DONE,
        finished_at=timezone.now(),
        snapshot=snapshot,
        page_count=12,
        created_by=admin_user,
    )
    measure = Measure.objects.get(programme=programme, number="1.2")
    goals = [
        {"id": goal.pk, "text": goal.text, "status": GoalStatus.REACHED, "order": goal.order}
        for goal in measure.goals.all()
    ]
    measure_update(
        measure=measure,
        data={"status": MeasureStatus.IN_PROGRESS, "quick_win": "ja", "cost_rating": "hoch"},
        goals=goals,
        expected_version=measure.version,
        by=admin_user,
    )
    kpi = measure.kpis.first()
    kpi_value_record(
        kpi=kpi, date=timezone.localdate() - timedelta(days=3), value=Decimal("12500.5"),
        by=admin_user,
    )  # fmt: skip
    return programme


def _english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _import_run(client, programme) -> ImportRun:
    measure = Measure.objects.get(programme=programme, number="1.2")
    kpi = measure.kpis.first()
    day = timezone.localdate() - timedelta(days=2)
    data = f"\ufeffMaßnahme;Kennzahl;Datum;Wert;Bemerkung\n1.2;{kpi.name};{day:%d.%m.%Y};7;\n"
    upload = SimpleUploadedFile("values.csv", data.encode("utf-8"), content_type="text/csv")
    response = client.post(reverse("transfer:import"), {"programme": programme.pk, "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.latest("created_at")


def _english_pages(client, programme) -> dict[str, str]:
    measure = Measure.objects.get(programme=programme, number="1.2")
    report = StatusReport.objects.get()
    run = _import_run(client, programme)
    urls = {
        "overview": reverse("home"),
        "list": reverse("measures:list"),
        "detail": reverse("measures:detail", args=[measure.pk]),
        "reports": reverse("reports:list"),
        "report": reverse("reports:detail", args=[report.pk]),
        "changes": reverse("reports:changes_since_last"),
        "import": reverse("transfer:index"),
        "import run": reverse("transfer:run", args=[run.pk]),
        "import runs": reverse("transfer:runs"),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        pages[name] = response.content.decode()
    return pages


def test_english_pages_show_unambiguous_dates_and_no_german_labels(
    client, neutral_programme, admin_user
):
    pages = _english_pages(_english(client, admin_user), neutral_programme)

    today = date_format(timezone.localdate(), "j M Y")
    for name, html in pages.items():
        text = readable_text(html)
        assert GERMAN_DATE.findall(text) == [], name
        assert GERMAN_WORD.findall(text) == [], (name, GERMAN_WORD.findall(text))
    assert today in readable_text(pages["detail"])  # "version 3, changed on 25 Nov 2026, 14:05"
    detail = readable_text(pages["detail"])
    # The history shows choice labels and values in English: "planned → in progress".
    assert "planned → in progress" in detail
    assert "reached" in detail and "high" in detail
    assert "12,500.5" in detail
    assert "Measures as CSV" in readable_text(pages["import"])


def test_german_pages_keep_german_dates(client, neutral_programme, admin_user):
    client.force_login(admin_user)
    measure = Measure.objects.get(programme=neutral_programme, number="1.2")

    text = readable_text(client.get(reverse("measures:detail", args=[measure.pk])).content.decode())

    assert f"{timezone.localdate():%d.%m.%Y}" in text
    assert "in Umsetzung" in text
    assert "12.500,5" in text


def test_english_dates_read_day_month_year():
    with override("en"):
        assert date_format(timezone.datetime(2026, 11, 25).date(), "SHORT_DATE_FORMAT") == (
            "25 Nov 2026"
        )
        moment = timezone.datetime(2026, 11, 25, 14, 5)
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "25 Nov 2026, 14:05"
    with override("de"):
        assert date_format(timezone.datetime(2026, 11, 25).date(), "SHORT_DATE_FORMAT") == (
            "25.11.2026"
        )


def test_the_round_reminder_email_reads_in_english(programme):
    from datetime import date

    from django.contrib.auth.models import User
    from django.template.loader import render_to_string

    from rounds.models import ReportingRound

    round_ = ReportingRound(
        programme=programme,
        name="Status 1/2027",
        reporting_date=date(2027, 3, 31),
        update_deadline=date(2027, 4, 15),
        review_deadline=date(2027, 4, 30),
    )
    context = {
        "round": round_,
        "recipient": User(username="erika", first_name="Erika"),
        "site_url": "https://sachstand.example.org",
        "sections": [{"heading": "Please report", "items": []}],
    }
    with override("en"):
        body = render_to_string("rounds/email/reminder.txt", context)

    assert "15 Apr 2027" in body
    assert not GERMAN_WORD.findall(body.replace("Sachstand", ""))


# Data files keep German dates (documented); these modules read or write them.
DATA_FILE_MODULES = {
    "transfer/cells.py",
    "transfer/export.py",
    "transfer/sources.py",
    "kpis/forms.py",  # accepted input formats
    "masterplan/formats/en/formats.py",  # accepted input formats
    "reports/management/commands/build_report.py",  # --date accepted input formats
}
HAND_MADE_DATE = re.compile(r"%d\.%m\.%Y|%d\.%m\.%y|\|date:[\"']d\.m\.Y")


def test_dates_for_people_use_the_language_formats_not_a_hand_made_pattern():
    """Templates use SHORT_DATE_FORMAT, Python django.utils.formats.date_format."""
    sources = [
        *BASE_DIR.glob("templates/**/*.html"),
        *BASE_DIR.glob("templates/**/*.txt"),
        *(
            path
            for app in ("masterplan", "measures", "kpis", "reports", "rounds", "transfer")
            for path in (BASE_DIR / app).rglob("*.py")
            if "migrations" not in path.parts
        ),
    ]
    offenders = [
        str(path.relative_to(BASE_DIR))
        for path in sources
        if str(path.relative_to(BASE_DIR)) not in DATA_FILE_MODULES
        and HAND_MADE_DATE.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
