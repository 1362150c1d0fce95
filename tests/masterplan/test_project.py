from io import StringIO

import pytest
from django.core.management import call_command

from measures.models import Measure


def test_every_model_change_has_its_migration(db):
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Missing migrations:\n{out.getvalue()}")


def test_admin_lists_the_25_seed_measures(client, programme, admin_user):
    client.force_login(admin_user)

    response = client.get("/admin/measures/measure/", {"all": ""})

    assert response.status_code == 200
    assert "25 Maßnahmen" in response.text
    assert "Bring Your Own Device (BYOD)" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/masterplan/programme/",
        "/admin/masterplan/workinggroup/",
        "/admin/masterplan/ratingscale/",
        "/admin/masterplan/ratinglevel/",
        "/admin/measures/goal/",
        "/admin/measures/changerecord/",
        "/admin/kpis/kpi/",
        "/admin/kpis/kpivalue/",
        "/admin/reports/statusreport/",
        "/admin/transfer/importrun/",
    ],
)
def test_every_model_has_an_admin_list_with_search(client, programme, admin_user, url):
    client.force_login(admin_user)
    assert client.get(url, {"q": "Arbeit"}).status_code == 200


def test_admin_edit_goes_through_history_and_rating_derivation(client, programme, admin_user):
    client.force_login(admin_user)
    measure = Measure.objects.get(number="1.3")
    form = client.get(f"/admin/measures/measure/{measure.pk}/change/").context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        {
            "programme": measure.programme_id,
            "working_group": measure.working_group_id,
            "cost_estimate": "2000000",
            "goals-TOTAL_FORMS": "0",
            "goals-INITIAL_FORMS": "0",
            "kpis-TOTAL_FORMS": "0",
            "kpis-INITIAL_FORMS": "0",
        }
    )

    response = client.post(f"/admin/measures/measure/{measure.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    measure.refresh_from_db()
    assert measure.cost_rating == "hoch"
    assert measure.changes.first().diff["cost_rating"] == ["gering", "hoch"]


def test_demo_accounts_command_creates_the_five_roles(programme):
    call_command("create_demo_accounts", stdout=StringIO())
    call_command("create_demo_accounts", stdout=StringIO())  # safe to repeat

    group_one = programme.working_groups.get(number=1)
    assert list(group_one.editors.values_list("username", flat=True)) == ["editor1"]
    from django.contrib.auth.models import User

    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="committee").groups.filter(name="Lenkungskreis").exists()
    assert User.objects.get(username="editor2").check_password("demo")
    assert list(group_one.leads.values_list("username", flat=True)) == ["lead1"]
    assert User.objects.get(username="lead1").check_password("demo")
