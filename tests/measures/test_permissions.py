"""Who may do what on the measure pages: every persona against every page and action.

Personas from tests/conftest.py; the report and transfer pages have their matrices in
tests/reports/ and tests/transfer/. The measure under test belongs to group I.
"""

import pytest
from django.urls import reverse

from measures.models import Measure
from measures.services import measure_update
from tests.conftest import FORBIDDEN, LOGIN, OK, PERSONAS, SAVED, assert_outcome, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Who may do what does not depend on the seed: some programme with some measures."""
    return small_programme


@pytest.fixture
def measure_1(programme):
    return Measure.objects.get(programme=programme, number="1.1")


# (page, persona) -> expected outcome of a GET
READ_PAGES = {
    "overview": {p: OK for p in PERSONAS[:4]} | {"anonymous": LOGIN},
    "list": {p: OK for p in PERSONAS[:4]} | {"anonymous": LOGIN},
    "detail": {p: OK for p in PERSONAS[:4]} | {"anonymous": LOGIN},
    "edit": {
        "admin": OK,
        "editor_1": OK,
        "editor_2": FORBIDDEN,
        "committee": FORBIDDEN,
        "anonymous": LOGIN,
    },
    "new": {
        "admin": OK,
        "editor_1": FORBIDDEN,
        "editor_2": FORBIDDEN,
        "committee": FORBIDDEN,
        "anonymous": LOGIN,
    },
}


def page_url(page: str, measure: Measure) -> str:
    return {
        "overview": lambda: reverse("home"),
        "list": lambda: reverse("measures:list"),
        "detail": lambda: reverse("measures:detail", args=[measure.pk]),
        "edit": lambda: reverse("measures:edit", args=[measure.pk]),
        "new": lambda: reverse("measures:new"),
    }[page]()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(READ_PAGES))
def test_page_access(client, personas, measure_1, page, persona):
    # A page missing from the URLconf fails here (NoReverseMatch): the matrix never skips.
    url = page_url(page, measure_1)
    login_as(client, personas, persona)
    assert_outcome(client.get(url), READ_PAGES[page][persona])


EDIT_POST = {
    "admin": SAVED,
    "editor_1": SAVED,
    "editor_2": FORBIDDEN,
    "committee": FORBIDDEN,
    "anonymous": LOGIN,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_post(client, personas, measure_1, persona):
    login_as(client, personas, persona)
    data = {
        "version": str(measure_1.version),
        "title": "Neuer Titel",
        "description": measure_1.description,
        "status": measure_1.status,
        "goals-TOTAL_FORMS": "0",
        "goals-INITIAL_FORMS": "0",
        "kpis-TOTAL_FORMS": "0",
        "kpis-INITIAL_FORMS": "0",
    }
    if persona == "admin":
        data |= {"number": measure_1.number, "working_group": measure_1.working_group_id}
    response = client.post(reverse("measures:edit", args=[measure_1.pk]), data)
    assert_outcome(response, EDIT_POST[persona])
    measure_1.refresh_from_db()
    changed = measure_1.title == "Neuer Titel"
    assert changed == (EDIT_POST[persona] == SAVED), "a refused save must change nothing"


RESTORE_POST = {
    "admin": SAVED,
    "editor_1": FORBIDDEN,
    "editor_2": FORBIDDEN,
    "committee": FORBIDDEN,
    "anonymous": LOGIN,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_restore_post(client, personas, measure_1, admin_user, persona):
    first = measure_1.changes.first()
    measure_update(
        measure=measure_1, data={"title": "Zwischenstand"}, expected_version=measure_1.version
    )
    login_as(client, personas, persona)
    current = type(measure_1).objects.get(pk=measure_1.pk).version
    response = client.post(
        reverse("measures:restore", args=[measure_1.pk, first.pk]), {"version": current}
    )
    assert_outcome(response, RESTORE_POST[persona])
    measure_1.refresh_from_db()
    restored = measure_1.title != "Zwischenstand"
    assert restored == (RESTORE_POST[persona] == SAVED)


@pytest.mark.parametrize("persona", ["editor_1", "committee"])
def test_restore_button_only_for_admins(client, personas, measure_1, persona):
    measure_update(measure=measure_1, data={"title": "Zwischenstand"}, expected_version=1)
    login_as(client, personas, persona)
    body = client.get(reverse("measures:detail", args=[measure_1.pk])).content.decode()
    assert "wiederherstellen" not in body


def test_admin_sees_restore_button(client, personas, measure_1):
    measure_update(measure=measure_1, data={"title": "Zwischenstand"}, expected_version=1)
    login_as(client, personas, "admin")
    body = client.get(reverse("measures:detail", args=[measure_1.pk])).content.decode()
    assert "wiederherstellen" in body


def test_editor_of_several_groups_edits_all_of_them(client, programme, editor_group_1):
    programme.working_groups.get(number=3).editors.add(editor_group_1)
    client.force_login(editor_group_1)
    for number in ("1.1", "3.1"):
        m = Measure.objects.get(number=number)
        assert client.get(reverse("measures:edit", args=[m.pk])).status_code == 200
    m = Measure.objects.get(number="2.1")
    assert client.get(reverse("measures:edit", args=[m.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["editor_2", "committee"])
def test_forbidden_page_explains_in_german(client, personas, measure_1, persona):
    login_as(client, personas, persona)
    response = client.get(reverse("measures:edit", args=[measure_1.pk]))
    assert response.status_code == 403
    assert "Keine Berechtigung" in response.content.decode()


def test_list_offers_edit_links_only_for_own_groups(client, programme, editor_group_2):
    client.force_login(editor_group_2)
    body = client.get(reverse("measures:list")).content.decode()
    own = Measure.objects.get(number="2.1")
    other = Measure.objects.get(number="1.1")
    assert reverse("measures:edit", args=[own.pk]) in body
    assert reverse("measures:edit", args=[other.pk]) not in body


def test_login_page_and_language_switch_need_no_login(client, programme):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": "/konto/login/"})
    assert response.status_code == 302
