"""The admin shows rounds, updates and the e-mail log, and changes none of them."""

import pytest
from django.urls import reverse

from rounds.models import Notification, NotificationKind, StatusUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def notification(open_round, editor_group_1):
    return Notification.objects.create(
        recipient=editor_group_1,
        email=editor_group_1.email,
        kind=NotificationKind.REMINDER,
        round=open_round,
        items=[{"kind": "update_due", "number": "1.1"}],
        sent_on=open_round.update_deadline,
    )


@pytest.mark.parametrize(
    "model", ["reportinground", "statusupdate", "notification"], ids=lambda m: m
)
def test_admins_see_the_rounds_updates_and_e_mail_log_read_only(
    client, admin_user, open_round, notification, model
):
    objects = {
        "reportinground": open_round,
        "statusupdate": StatusUpdate.objects.filter(round=open_round).first(),
        "notification": notification,
    }
    client.force_login(admin_user)
    changelist = client.get(reverse(f"admin:rounds_{model}_changelist"))
    assert changelist.status_code == 200
    obj = objects[model]
    page = client.get(reverse(f"admin:rounds_{model}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # nothing to save
    assert client.get(reverse(f"admin:rounds_{model}_add")).status_code == 403
    assert client.post(reverse(f"admin:rounds_{model}_delete", args=[obj.pk])).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_the_e_mail_log_lists_who_was_told(client, admin_user, notification):
    client.force_login(admin_user)
    page = client.get(reverse("admin:rounds_notification_changelist")).content.decode()
    assert "erika@example.org" in page
