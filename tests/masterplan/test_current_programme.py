"""The current programme has one definition, Programme.objects.current(): the programme created
first. With a second programme (whose name sorts first) every page still shows the same one."""

import pytest
from django.urls import reverse

from masterplan.models import Programme
from transfer.forms import ImportForm
from transfer.views import ascii_file_name, file_name_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


@pytest.fixture
def second_programme(programme):
    """Created after the first programme, named so that it comes first in the model's name
    ordering."""
    return Programme.objects.create(name="Aaa Zweites Programm")


def test_current_is_the_programme_created_first(db):
    assert Programme.objects.current() is None
    first = Programme.objects.create(name="Zett")
    Programme.objects.create(name="Aaa")
    assert Programme.objects.current() == first


def test_overview_export_report_form_and_import_agree(
    client, programme, second_programme, admin_user
):
    assert Programme.objects.first() == second_programme  # the former rule of some pages
    assert Programme.objects.current() == programme
    client.force_login(admin_user)

    assert client.get(reverse("home")).context["overview"].programme == programme
    export_page = client.get(reverse("transfer:index")).context
    assert export_page["programme"] == programme
    assert export_page["form"].fields["programme"].initial == programme
    assert ImportForm().fields["programme"].initial == programme
    csv = client.get(reverse("transfer:export-csv", args=["measures"]))
    assert ascii_file_name(file_name_part(programme.name)) in csv["Content-Disposition"]
    assert client.get(reverse("reports:create")).context["form"].programme == programme
    assert client.get(reverse("measures:new")).context["measure"].programme == programme


def test_the_import_form_offers_a_choice_only_with_several_programmes(programme):
    assert ImportForm().fields["programme"].widget.is_hidden
    Programme.objects.create(name="Aaa Zweites Programm")
    assert not ImportForm().fields["programme"].widget.is_hidden
