"""Text as staff write it: shown as typed, stored with one kind of line break, with a limit."""

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.markup import render_description
from measures.models import ChangeRecord, Goal, Measure
from measures.services import measure_create, measure_restore, measure_update, measures_apply_bulk
from measures.text import DESCRIPTION_MAX_LENGTH, GOAL_TEXT_MAX_LENGTH, normalize_text
from reports.rendering import description_html
from transfer.services import programme_export, programme_import

from .test_views import edit_post_data

pytestmark = pytest.mark.django_db

GENDERED = "Bürger*innen und Mitarbeiter*innen"


def measure(number: str) -> Measure:
    return Measure.objects.get(number=number)


def with_crlf(data: dict) -> dict:
    """Form data as a browser sends it: every line break of a textarea as CR LF."""
    return {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}


# --- Shown as typed ----------------------------------------------------------------------


@pytest.mark.parametrize("render", [render_description, description_html], ids=["web", "pdf"])
def test_gender_stars_show_literally_on_the_web_and_in_the_pdf(render):
    html = str(render(f"Für {GENDERED}."))

    assert GENDERED in html
    assert "<em>" not in html and "<strong>" not in html


@pytest.mark.parametrize(
    "typed",
    [
        "_wichtig_ und __sehr wichtig__",
        "**nicht fett** und *nicht kursiv*",
        r"Ablage unter \\fs01\ablage\*.docx",
        "[1]: http://example.org",
    ],
)
def test_ordinary_text_shows_as_typed(typed):
    html = str(render_description(typed))

    assert typed.replace("&", "&amp;") in html


def test_headings_paragraphs_line_breaks_and_lists_keep_working():
    html = str(
        render_description(
            "### Ziele\n\nErster Absatz\nmit Zeilenumbruch.\n\n- eins\n- zwei\n\n1. erstens\n"
        )
    )

    assert "<h3>Ziele</h3>" in html
    assert "<p>Erster Absatz<br>\nmit Zeilenumbruch.</p>" in html
    assert "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>" in html
    assert "<ol>\n<li>erstens</li>\n</ol>" in html


def test_detail_page_shows_the_seed_gender_stars_as_written(client, programme, committee_member):
    client.force_login(committee_member)

    body = client.get(reverse("measures:detail", args=[measure("1.2").pk])).content.decode()

    assert "mit den Bürger*innen und Unternehmen" in body
    assert "\\*" not in body and "<em>innen" not in body


def test_edit_box_shows_no_escape_characters(client, programme, editor_group_1):
    client.force_login(editor_group_1)

    form = client.get(reverse("measures:edit", args=[measure("1.2").pk])).context["form"]

    assert "Bürger*innen" in form["description"].value()
    assert "\\" not in form["description"].value()


# --- One kind of line break on every write path ------------------------------------------


def test_saving_an_unchanged_form_with_windows_line_endings_records_nothing(
    client, programme, admin_user
):
    m = measure("3.1")  # headings, paragraphs and lists: many line breaks
    Goal.objects.filter(measure=m).update(progress_note="Erste Zeile\nzweite Zeile")
    client.force_login(admin_user)
    data = with_crlf(edit_post_data(client, m))
    assert "\r\n" in data["description"] and "\r\n" in data["goals-0-progress_note"]
    records, version = m.changes.count(), m.version

    response = client.post(reverse("measures:edit", args=[m.pk]), data)

    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.changes.count(), m.version) == (records, version)
    assert "\r" not in m.description


def test_a_changed_description_records_only_the_change(client, programme, editor_group_1):
    m = measure("1.4")
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    data["description"] += "\n\nNeuer Absatz"

    response = client.post(reverse("measures:edit", args=[m.pk]), with_crlf(data))

    assert response.status_code == 302
    m.refresh_from_db()
    assert m.description.endswith("\n\nNeuer Absatz") and "\r" not in m.description
    old, new = m.changes.first().diff["description"]
    assert new == old + "\n\nNeuer Absatz"


def test_services_store_lf_from_crlf_and_cr(programme):
    group = programme.working_groups.get(number=1)
    created = measure_create(
        programme=programme,
        data={"number": "1.20", "working_group": group, "title": "Neu", "description": "a\r\nb"},
        goals=[{"text": "Ziel\r\nzwei Zeilen", "progress_note": "x\ry"}],
    )
    assert created.description == "a\nb"
    assert list(created.goals.values_list("text", "progress_note")) == [
        ("Ziel\nzwei Zeilen", "x\ny")
    ]

    measure_update(measure=created, data={"description": "a\rb"}, expected_version=1)

    created.refresh_from_db()
    assert (created.description, created.version) == ("a\nb", 1)


def test_the_import_bulk_path_stores_lf(programme):
    group = programme.working_groups.get(number=2)
    number = measure("2.1").number

    measures_apply_bulk(
        programme=programme,
        creates=[{"number": "2.9", "working_group": group, "title": "T", "description": "a\r\nb"}],
        updates={number: {"description": "c\r\nd"}},
        goals={"2.9": [{"text": "Ziel\r\nmehrzeilig"}]},
    )

    assert Measure.objects.get(number="2.9").description == "a\nb"
    assert Goal.objects.get(measure__number="2.9").text == "Ziel\nmehrzeilig"
    assert measure("2.1").description == "c\nd"


def test_restoring_an_old_state_with_crlf_stores_lf(programme, admin_user):
    m = measure("1.1")
    record = m.changes.get()
    record.state["description"] = "alt\r\nzweite Zeile"
    record.save()

    measure_restore(measure=m, change_record=record, by=admin_user)

    m.refresh_from_db()
    assert m.description == "alt\nzweite Zeile"


def test_admin_saves_store_lf(client, programme, admin_user):
    m = measure("1.5")
    client.force_login(admin_user)
    page = client.get(reverse("admin:measures_measure_change", args=[m.pk]))
    form, inlines = page.context["adminform"].form, page.context["inline_admin_formsets"]
    data = {
        name: form[name].value() or "" for name in form.fields if form[name].value() is not None
    }
    data["working_group"] = m.working_group_id
    data["programme"] = m.programme_id
    for inline in inlines:
        formset = inline.formset
        data.update({f.html_name: f.value() for f in formset.management_form})
        for row in formset.forms:
            data.update({f.html_name: f.value() for f in row if f.value() is not None})
    data["description"] = "Erster Absatz\r\n\r\nZweiter Absatz"

    response = client.post(reverse("admin:measures_measure_change", args=[m.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    m.refresh_from_db()
    assert m.description == "Erster Absatz\n\nZweiter Absatz"


def test_reimporting_an_export_after_a_web_edit_shows_nothing_changed(
    client, programme, admin_user
):
    m = measure("3.1")
    client.force_login(admin_user)
    data = edit_post_data(client, m)
    data["title"] = "Mobiles Arbeiten"
    assert client.post(reverse("measures:edit", args=[m.pk]), with_crlf(data)).status_code == 302

    export = programme_export(programme=programme)
    outcome = programme_import(
        programme=programme, file_name="programm.xlsx", data=export, by=admin_user
    )

    assert outcome.run.errors == []
    assert outcome.run.counts["measures"]["unchanged"] == 25
    assert outcome.run.counts["goals"]["update"] == 0


def test_normalize_text_composes_pasted_umlauts():
    decomposed = "U\u0308berarbeitung"  # as some Macs paste "Überarbeitung"

    assert normalize_text(decomposed) == "Überarbeitung"
    assert normalize_text("a\r\nb\rc\n") == "a\nb\nc\n"
    assert normalize_text(None) is None


def test_migration_rewrites_stored_crlf_and_escaped_stars(programme):
    Measure.objects.filter(number="1.1").update(description="a\r\nBürger\\*innen")
    Goal.objects.filter(measure__number="1.1").update(progress_note="x\r\ny")
    migration = importlib.import_module("measures.migrations.0003_normalize_stored_text")

    migration.normalize(apps, None)

    assert measure("1.1").description == "a\nBürger*innen"
    assert set(
        Goal.objects.filter(measure__number="1.1").values_list("progress_note", flat=True)
    ) == {"x\ny"}


# --- Long texts have a limit ---------------------------------------------------------------


def test_the_service_refuses_a_description_over_the_limit(programme):
    m = measure("1.1")

    with pytest.raises(ValidationError) as error:
        measure_update(
            measure=m, data={"description": "x" * (DESCRIPTION_MAX_LENGTH + 1)}, expected_version=1
        )

    assert error.value.message_dict["description"] == [
        "Höchstens 20.000 Zeichen erlaubt (hier 20.001)."
    ]
    m.refresh_from_db()
    assert len(m.description) < DESCRIPTION_MAX_LENGTH


def test_the_edit_form_names_the_field_over_the_limit_and_saves_nothing(
    client, programme, editor_group_1
):
    m = measure("1.4")
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    data["description"] = "x" * 2**20
    data["goals-1-text"] = "y" * (GOAL_TEXT_MAX_LENGTH + 1)
    records = m.changes.count()

    response = client.post(reverse("measures:edit", args=[m.pk]), data)

    assert response.status_code == 422
    summary = [(e["label"], str(e["message"])) for e in response.context["errors"]]
    assert ("Beschreibung", "Höchstens 20.000 Zeichen erlaubt (hier 1.048.576).") in summary
    assert ("Ziel 2: Ziel", "Höchstens 2.000 Zeichen erlaubt (hier 2.001).") in summary
    assert m.changes.count() == records
    m.refresh_from_db()
    assert len(m.description) < 20_000


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_the_import_names_row_and_column_of_a_text_over_the_limit(programme, admin_user):
    data = _csv(
        [
            ["Nummer", "Titel", "Beschreibung"],
            ["1.1", "Bring Your Own Device (BYOD)", "kurz"],
            ["1.2", "Bürgerportal", "x" * (DESCRIPTION_MAX_LENGTH + 1)],
        ]
    )
    before = measure("1.1").description

    run = programme_import(
        programme=programme, file_name="massnahmen.csv", data=data, by=admin_user
    ).run

    [error] = run.errors
    assert (error["row"], error["column"]) == (3, "Beschreibung")
    assert error["message"] == "Höchstens 20.000 Zeichen erlaubt (hier 20.001)."
    assert measure("1.1").description == before
    assert not ChangeRecord.objects.filter(source="import").exists()


# --- The edit page keeps what the user did -----------------------------------------------


def test_goals_keep_the_users_order_after_a_validation_error(client, programme, editor_group_1):
    m = measure("1.4")
    first, second = m.goals.order_by("order").values_list("text", flat=True)[:2]
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    data["goals-0-order"], data["goals-1-order"] = "2", "1"  # moved with the ↑/↓ buttons
    data["title"] = ""

    response = client.post(reverse("measures:edit", args=[m.pk]), data)

    assert response.status_code == 422
    body = response.content.decode()
    assert body.index(second) < body.index(first)
    legend = body.index("Ziel 1</legend>")
    assert legend < body.index(second) < body.index("Ziel 2</legend>")


def test_kpis_keep_the_users_order_after_a_validation_error(client, programme, editor_group_1):
    m = measure("1.2")
    names = list(m.kpis.order_by("order").values_list("name", flat=True))
    client.force_login(editor_group_1)
    data = edit_post_data(client, m)
    for index in range(len(names)):
        data[f"kpis-{index}-order"] = str(len(names) - index)  # reversed
    data["title"] = ""

    response = client.post(reverse("measures:edit", args=[m.pk]), data)

    assert response.status_code == 422
    body = response.content.decode()
    positions = [body.index(f'value="{name}"') for name in names]
    assert positions == sorted(positions, reverse=True)
