"""Publishing and withdrawing a done report: admins only, refused with a reason otherwise."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports.models import ReportState, StatusReport
from reports.services import report_publish, report_withdraw

from .helpers import done_report

pytestmark = pytest.mark.django_db


def test_an_admin_publishes_a_done_report_without_internal_fields(public_programme, admin_user):
    report = report_publish(report=done_report(public_programme), by=admin_user)
    assert report.is_public and report.published_at is not None
    assert StatusReport.objects.published().get() == report


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"include_internal": True}, "interne Angaben"),
        ({"ds_number": ""}, "Entwurf ohne DS-Nr."),
        ({"state": ReportState.BUILDING}, "Nur fertig erstellte Berichte"),
    ],
)
def test_a_report_that_may_not_go_public_is_refused_with_the_reason(
    public_programme, admin_user, change, reason
):
    report = done_report(public_programme)
    StatusReport.objects.filter(pk=report.pk).update(**change)
    report.refresh_from_db()
    assert not report.can_be_published
    with pytest.raises(ValidationError, match=reason):
        report_publish(report=report, by=admin_user)
    report.refresh_from_db()
    assert report.published_at is None


def test_only_admins_publish_or_withdraw(public_programme, personas):
    report = done_report(public_programme)
    for persona in ("editor_1", "committee", "anonymous"):
        user = personas[persona] or AnonymousUser()
        with pytest.raises(PermissionDenied):
            report_publish(report=report, by=user)
        with pytest.raises(PermissionDenied):
            report_withdraw(report=report, by=user)
    report.refresh_from_db()
    assert report.published_at is None


def test_a_withdrawn_report_leaves_the_public_and_may_return(public_programme, admin_user):
    report = report_publish(report=done_report(public_programme), by=admin_user)
    report = report_withdraw(report=report, by=admin_user)
    assert not report.is_public and report.withdrawn_at is not None
    assert StatusReport.objects.ever_published().get() == report
    with pytest.raises(ValidationError, match="nicht veröffentlicht"):
        report_withdraw(report=report, by=admin_user)
    report = report_publish(report=report, by=admin_user)
    assert report.is_public and report.withdrawn_at is None


def test_the_admin_actions_publish_and_name_what_they_refused(client, public_programme, admin_user):
    good = done_report(public_programme, ds_number="1-26")
    internal = done_report(public_programme, ds_number="2-26", include_internal=True)
    client.force_login(admin_user)
    url = reverse("admin:reports_statusreport_changelist")
    response = client.post(
        url,
        {"action": "publish", "_selected_action": [good.pk, internal.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 Bericht(e) veröffentlicht." in page
    assert "interne Angaben" in page
    good.refresh_from_db()
    internal.refresh_from_db()
    assert good.is_public and not internal.is_public

    client.post(url, {"action": "withdraw", "_selected_action": [good.pk]})
    good.refresh_from_db()
    assert not good.is_public


def test_the_report_page_publishes_and_withdraws_for_admins(client, public_programme, admin_user):
    report = done_report(public_programme)
    client.force_login(admin_user)
    detail = reverse("reports:detail", args=[report.pk])
    assert "Veröffentlichen" in client.get(detail).content.decode()
    page = client.post(reverse("reports:publish", args=[report.pk]), follow=True)
    assert "Der Bericht ist veröffentlicht." in page.content.decode()
    assert "Öffentlich seit" in page.content.decode()
    report.refresh_from_db()
    assert report.is_public
    client.post(reverse("reports:withdraw", args=[report.pk]))
    report.refresh_from_db()
    assert not report.is_public


def test_the_report_page_says_why_a_report_may_not_go_public(client, public_programme, admin_user):
    report = done_report(public_programme, include_internal=True)
    client.force_login(admin_user)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "enthält interne Angaben" in page
    assert reverse("reports:publish", args=[report.pk]) not in page
    response = client.post(reverse("reports:publish", args=[report.pk]), follow=True)
    assert "enthält interne Angaben" in response.content.decode()
    report.refresh_from_db()
    assert not report.is_public
