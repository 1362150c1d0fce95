"""A round's status updates as a spreadsheet: exported, filled offline, imported back."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from rounds.models import StatusUpdate, UpdateState
from rounds.services import update_save, update_transition
from transfer.errors import FileRefused
from transfer.round_updates import round_updates_apply, round_updates_check, round_updates_export

HEADERS = [
    "Maßnahme",
    "Titel",
    "Ampel",
    "Begründung",
    "Sachstand",
    "Nächste Schritte",
    "Entscheidungsbedarf",
    "Fortschritt in %",
    "Status",
    "Version",
]


def _exported(round_, **kwargs):
    return load_workbook(io.BytesIO(round_updates_export(round=round_, **kwargs)))


def _numbers(sheet):
    return [row[0].value for row in sheet.iter_rows(min_row=2) if row[0].value]


def _row_of(sheet, number):
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == number:
            return row
    raise AssertionError(number)


def _set(sheet, number, **columns):
    row = _row_of(sheet, number)
    for header, value in columns.items():
        row[HEADERS.index(header)].value = value
    return row[0].row


def _bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _snapshot(round_):
    return list(
        StatusUpdate.objects.filter(round=round_)
        .order_by("pk")
        .values("pk", "state", "version", "traffic_light", "achieved", "progress_percent")
    )


def _update(round_, number):
    major, minor = number.split(".")
    return StatusUpdate.objects.get(
        round=round_, measure__number_major=major, measure__number_minor=minor
    )


def _apply(round_, workbook, by, *, submit=False):
    return round_updates_apply(
        round=round_, name="meldungen.xlsx", data=_bytes(workbook), by=by, submit=submit
    )


def _refused(round_, workbook, by, *, submit=False):
    before = _snapshot(round_)
    with pytest.raises(FileRefused) as refused:
        _apply(round_, workbook, by, submit=submit)
    assert _snapshot(round_) == before
    return [str(error) for error in refused.value.errors]


def test_the_export_has_a_row_per_measure_with_numbers_as_text(open_round):
    sheet = _exported(open_round).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert len(_numbers(sheet)) == open_round.updates.count()
    assert sheet["A2"].number_format == "@"
    assert any("im Plan" in str(v.formula1) for v in sheet.data_validations.dataValidation)


def test_the_export_of_one_working_group_holds_only_its_measures(open_round, programme):
    group = programme.working_groups.get(number=2)
    sheet = _exported(open_round, working_group=group).active
    numbers = _numbers(sheet)
    assert numbers and all(number.startswith("2.") for number in numbers)


def test_export_then_import_unchanged_changes_nothing(open_round, admin_user):
    _set_content(open_round, "1.1", admin_user, traffic_light="gefaehrdet")
    before = _snapshot(open_round)
    assert _apply(open_round, _exported(open_round), admin_user) == 0
    assert _snapshot(open_round) == before


def _set_content(round_, number, by, **data):
    update = _update(round_, number)
    data = {"traffic_light_reason": "Lieferverzug\r\nbeim Dienstleister", **data}
    return update_save(update=update, data=data, expected_version=update.version, by=by)


def test_a_filled_sheet_imports_as_drafts(open_round, editor_group_1):
    workbook = _exported(open_round)
    _set(
        workbook.active,
        "1.1",
        Ampel="Gefährdet",
        Begründung="Lieferverzug",
        Sachstand="Ausschreibung läuft",
        **{"Fortschritt in %": 40},
    )
    assert _apply(open_round, workbook, editor_group_1) == 1
    update = _update(open_round, "1.1")
    assert (update.traffic_light, update.traffic_light_reason, update.achieved) == (
        "gefaehrdet",
        "Lieferverzug",
        "Ausschreibung läuft",
    )
    assert update.progress_percent == 40
    assert update.state == UpdateState.DRAFT
    assert update.updated_by == editor_group_1


def test_a_filled_sheet_imports_as_submissions(open_round, programme, editor_group_1):
    group = programme.working_groups.get(number=1)
    workbook = _exported(open_round, working_group=group)
    for number in _numbers(workbook.active):
        _set(workbook.active, number, Ampel="im plan", Sachstand="Läuft")
    count = _apply(open_round, workbook, editor_group_1, submit=True)
    updates = StatusUpdate.objects.filter(round=open_round, measure__working_group=group)
    assert count == updates.count()
    assert set(updates.values_list("state", flat=True)) == {UpdateState.SUBMITTED}
    assert all(update.events.filter(action="submit").exists() for update in updates)


@pytest.mark.parametrize(
    ("columns", "column", "words"),
    [
        ({"Maßnahme": "9.99"}, "Maßnahme", "nicht zu dieser Runde"),
        ({"Ampel": "grünlich"}, "Ampel", "keine Ampel"),
        ({"Ampel": "kritisch", "Begründung": ""}, "Begründung", "Begründung nötig"),
        ({"Fortschritt in %": 120}, "Fortschritt in %", "nicht zwischen 0 und 100"),
        ({"Fortschritt in %": "viel"}, "Fortschritt in %", "kein Fortschritt"),
        ({"Version": "alt"}, "Version", "Version fehlt"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(
    open_round, admin_user, columns, column, words
):
    workbook = _exported(open_round)
    _set(workbook.active, "1.2", Sachstand="Gut voran")  # a valid change elsewhere
    row = _set(workbook.active, "1.1", Sachstand="Neu", **columns)
    errors = _refused(open_round, workbook, admin_user)
    assert any(
        f"Zeile {row}" in error and f"Spalte {column}" in error and words in error
        for error in errors
    ), errors


def test_an_editor_cannot_import_another_groups_measure(open_round, editor_group_1):
    workbook = _exported(open_round)
    _set(workbook.active, "1.1", Sachstand="Eigene")
    row = _set(workbook.active, "2.1", Sachstand="Fremde")
    errors = _refused(open_round, workbook, editor_group_1)
    assert any(f"Zeile {row}" in e and "Arbeitsgruppe II" in e for e in errors), errors


def test_a_stale_version_is_refused(open_round, admin_user, editor_group_1):
    workbook = _exported(open_round)
    _set_content(open_round, "1.1", admin_user, achieved="Inzwischen geändert")
    row = _set(workbook.active, "1.1", Sachstand="Offline geschrieben")
    errors = _refused(open_round, workbook, editor_group_1)
    assert any(f"Zeile {row}" in e and "Spalte Version" in e for e in errors), errors


def test_a_submitted_update_cannot_be_changed_by_the_sheet(open_round, admin_user):
    update = _set_content(open_round, "1.1", admin_user, traffic_light="im_plan", achieved="Da")
    update_transition(update=update, action="submit", by=admin_user)
    workbook = _exported(open_round)
    row = _set(workbook.active, "1.1", Sachstand="Nachträglich")
    errors = _refused(open_round, workbook, admin_user)
    assert any(f"Zeile {row}" in e and "nicht mehr geändert" in e for e in errors), errors


def test_submitting_needs_ampel_and_sachstand(open_round, programme, editor_group_1):
    workbook = _exported(open_round, working_group=programme.working_groups.get(number=1))
    row = _set(workbook.active, "1.1", Ampel="", Sachstand="")
    errors = _refused(open_round, workbook, editor_group_1, submit=True)
    assert any(f"Zeile {row}" in e and "Spalte Ampel" in e for e in errors), errors


@pytest.mark.parametrize("word", ["KRITISCH", "nicht Begonnen", " im plan ", "Abgeschlossen"])
def test_german_ampel_words_are_read_whatever_their_case(open_round, admin_user, word):
    workbook = _exported(open_round)
    _set(workbook.active, "1.1", Ampel=word, Begründung="Grund")
    assert _apply(open_round, workbook, admin_user) == 1
    assert _update(open_round, "1.1").get_traffic_light_display().casefold() == (
        " ".join(word.split()).casefold()
    )


def test_formula_text_survives_export_and_import(open_round, admin_user):
    _set_content(open_round, "1.1", admin_user, achieved="=SUMME(A1) ist kein Befehl")
    before = _snapshot(open_round)
    assert _apply(open_round, _exported(open_round), admin_user) == 0
    assert _snapshot(open_round) == before


def test_the_preview_lists_the_changes_per_measure(open_round, admin_user):
    workbook = _exported(open_round)
    _set(workbook.active, "1.1", Sachstand="Neu")
    check = round_updates_check(
        round=open_round, name="m.xlsx", data=_bytes(workbook), by=admin_user, submit=False
    )
    assert check.ok
    assert [(row.update.measure.number, row.changes) for row in check.rows] == [
        ("1.1", [("Sachstand", _update(open_round, "1.1").achieved, "Neu")])
    ]


def test_too_many_rows_are_refused_clearly(open_round, admin_user, settings):
    settings.ROUND_IMPORT_MAX_ROWS = 3
    errors = _refused(open_round, _exported(open_round), admin_user)
    assert "höchstens 3" in errors[0]


# Pages


def test_download_upload_preview_and_confirm_on_the_pages(client, open_round, editor_group_1):
    client.force_login(editor_group_1)
    detail = client.get(reverse("rounds:detail", args=[open_round.pk]))
    assert reverse("transfer:round-updates-import", args=[open_round.pk]) in detail.text
    response = client.get(reverse("transfer:round-updates-export", args=[open_round.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    _set(workbook.active, "1.1", Sachstand="Vom Seitenweg")
    upload = io.BytesIO(_bytes(workbook))
    upload.name = "meldungen.xlsx"
    url = reverse("transfer:round-updates-import", args=[open_round.pk])
    preview = client.post(url, {"datei": upload, "als": "entwurf"})
    assert preview.status_code == 200
    assert "Vom Seitenweg" in preview.text
    assert _update(open_round, "1.1").achieved != "Vom Seitenweg"
    confirm = client.post(
        url,
        {
            "datei_inhalt": preview.context["file_data"],
            "datei_name": "meldungen.xlsx",
            "als": "entwurf",
            "bestaetigen": "1",
        },
    )
    assert confirm.status_code == 302
    assert _update(open_round, "1.1").achieved == "Vom Seitenweg"


def test_a_refused_upload_shows_the_errors_and_answers_400(client, open_round, editor_group_1):
    client.force_login(editor_group_1)
    upload = io.BytesIO(b"kein;Tabellenkopf\n1;2\n")
    upload.name = "x.csv"
    url = reverse("transfer:round-updates-import", args=[open_round.pk])
    response = client.post(url, {"datei": upload, "als": "entwurf"})
    assert response.status_code == 400
    assert "Es fehlen die Spalten" in response.text


def test_the_committee_may_download_but_not_upload(client, open_round, committee_member):
    client.force_login(committee_member)
    assert (
        client.get(reverse("transfer:round-updates-export", args=[open_round.pk])).status_code
        == 200
    )
    url = reverse("transfer:round-updates-import", args=[open_round.pk])
    assert client.get(url).status_code == 403


def test_a_csv_from_german_excel_is_read_too(open_round, editor_group_1):
    version = _update(open_round, "1.1").version
    text = (
        "Maßnahme;Ampel;Begründung;Sachstand;Fortschritt in %;Version\r\n"
        f'1.1;KRITISCH;"Personal fehlt";"Zwei Stellen\r\nunbesetzt";40 %;{version}\r\n'
    )
    count = round_updates_apply(
        round=open_round,
        name="meldungen.csv",
        data=text.encode("cp1252"),
        by=editor_group_1,
        submit=False,
    )
    update = _update(open_round, "1.1")
    assert count == 1
    assert (update.traffic_light, update.achieved, update.progress_percent) == (
        "kritisch",
        "Zwei Stellen\nunbesetzt",
        40,
    )
