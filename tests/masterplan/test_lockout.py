"""Failed sign-ins are throttled: after LOGIN_FAILURE_LIMIT failures for one account, or
LOGIN_FAILURE_LIMIT_PER_ADDRESS from one address, sign-in is refused, with the right password
too, on the staff login and on /admin/login/, until the lock expires or an admin lifts it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from masterplan.lockout import client_address

LIMIT = 5  # LOGIN_FAILURE_LIMIT's default
LOCKED = 429
LOCK_MESSAGE = "Zu viele fehlgeschlagene Anmeldeversuche"
LOGIN_PAGES = {"staff": "login", "admin": "admin:login"}


@pytest.fixture
def erika(db):
    return User.objects.create_user("erika", "erika@example.org", "richtig", is_staff=True)


def sign_in(client, username, password, *, page="staff", address="127.0.0.1"):
    data = {"username": username, "password": password}
    if page == "admin":
        data["next"] = "/admin/"
    return client.post(reverse(LOGIN_PAGES[page]), data, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", ["staff", "admin"])
def test_account_is_locked_after_the_limit(client, erika, page):
    answers = [sign_in(client, "erika", "falsch", page=page) for _ in range(LIMIT)]

    assert [a.status_code for a in answers[:-1]] == [200] * (LIMIT - 1)
    assert answers[-1].status_code == LOCKED
    locked = sign_in(client, "erika", "richtig", page=page)
    assert locked.status_code == LOCKED
    assert not signed_in(client)
    page_text = locked.content.decode()
    assert LOCK_MESSAGE in page_text
    assert "auch mit dem richtigen Passwort" in page_text
    assert "Versuchen Sie es in 30 Minuten erneut." in page_text


def test_below_the_limit_the_right_password_works(client, erika):
    for _ in range(LIMIT - 1):
        sign_in(client, "erika", "falsch")

    assert sign_in(client, "erika", "richtig").status_code == 302
    assert signed_in(client)


def test_failures_on_both_login_pages_count_together(client, erika):
    for page in ["staff", "admin", "staff", "admin"]:
        sign_in(client, "erika", "falsch", page=page)

    assert sign_in(client, "erika", "falsch", page="admin").status_code == LOCKED
    assert sign_in(client, "erika", "richtig", page="staff").status_code == LOCKED


def test_account_lock_holds_from_every_address_and_spelling(client, erika):
    for number in range(LIMIT):
        sign_in(client, "Erika" if number % 2 else "erika", "falsch", address=f"10.0.0.{number}")

    assert sign_in(client, "erika", "richtig", address="10.9.9.9").status_code == LOCKED
    assert sign_in(client, " ERIKA", "richtig", address="10.9.9.9").status_code == LOCKED


def test_a_locked_account_does_not_lock_others(client, erika):
    User.objects.create_user("emil", "emil@example.org", "seins")
    for _ in range(LIMIT):
        sign_in(client, "erika", "falsch")

    assert sign_in(client, "emil", "seins").status_code == 302


def test_address_is_locked_after_its_own_limit(client, erika, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    for number in range(8):
        assert sign_in(client, f"rate{number}", "falsch", address="10.1.1.1").status_code in (
            200,
            LOCKED,
        )

    assert sign_in(client, "erika", "richtig", address="10.1.1.1").status_code == LOCKED
    assert sign_in(client, "erika", "richtig", address="10.2.2.2").status_code == 302


def test_success_does_not_forgive_the_address(client, erika, settings):
    """Someone with an account cannot sign in between guesses to keep the counts low."""
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    User.objects.create_user("mallory", "mallory@example.org", "eigenes")
    for _ in range(2):
        for _ in range(LIMIT - 1):
            sign_in(client, "erika", "falsch", address="10.3.3.3")
        sign_in(client, "mallory", "eigenes", address="10.3.3.3")
        client.logout()

    assert sign_in(client, "erika", "richtig", address="10.3.3.3").status_code == LOCKED


def minutes_pass(minutes: int) -> None:
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - timedelta(minutes=minutes)
        )


def test_lock_ends_after_the_configured_time(client, erika):
    for _ in range(LIMIT):
        sign_in(client, "erika", "falsch")
    minutes_pass(31)

    assert sign_in(client, "erika", "richtig").status_code == 302


def test_attempts_while_locked_extend_the_lock(client, erika):
    for _ in range(LIMIT):
        sign_in(client, "erika", "falsch")
    minutes_pass(20)
    assert sign_in(client, "erika", "richtig").status_code == LOCKED
    minutes_pass(20)

    assert sign_in(client, "erika", "richtig").status_code == LOCKED
    minutes_pass(31)
    assert sign_in(client, "erika", "richtig").status_code == 302


def test_without_lock_time_only_an_admin_unlocks(client, erika, settings):
    settings.AXES_COOLOFF_TIME = None
    for _ in range(LIMIT):
        sign_in(client, "erika", "falsch")

    locked = sign_in(client, "erika", "richtig")

    assert locked.status_code == LOCKED
    assert "bis die Administration sie aufhebt" in locked.content.decode()


def test_admin_unlocks_with_the_management_command(client, erika):
    for _ in range(LIMIT):
        sign_in(client, "erika", "falsch")

    call_command("axes_reset_username", "erika")

    assert sign_in(client, "erika", "richtig").status_code == 302


def test_admin_sees_and_lifts_the_lock_in_the_admin(client, erika, admin_user):
    for _ in range(LIMIT):
        sign_in(client, "erika", "falsch")
    admin = client.__class__()
    admin.force_login(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")

    assert "erika" in admin.get(changelist).content.decode()
    attempt = AccessAttempt.objects.get(username="erika")
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 302

    assert sign_in(client, "erika", "richtig").status_code == 302


def test_every_attempt_is_logged(client, erika, admin_user):
    sign_in(client, "erika", "falsch", address="10.4.4.4")
    sign_in(client, "erika", "falsch", page="admin", address="10.4.4.4")
    sign_in(client, "erika", "richtig", address="10.4.4.4")

    failures = AccessFailureLog.objects.order_by("attempt_time")
    assert [(f.username, f.ip_address, f.path_info) for f in failures] == [
        ("erika", "10.4.4.4", reverse("login")),
        ("erika", "10.4.4.4", reverse("admin:login")),
    ]
    assert "richtig" not in str(list(AccessAttempt.objects.values()))
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [("erika", "10.4.4.4")]
    admin = client.__class__()
    admin.force_login(admin_user)
    for log in ("accessfailurelog", "accesslog"):
        page = admin.get(reverse(f"admin:axes_{log}_changelist"))
        assert page.status_code == 200
        assert "10.4.4.4" in page.content.decode()


def test_address_behind_a_reverse_proxy(settings):
    settings.LOGIN_PROXY_COUNT = 1
    request = RequestFactory().post(
        "/konto/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7"
    )

    assert client_address(request) == "192.0.2.7"
    settings.LOGIN_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"


def test_force_login_of_the_test_personas_still_works(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/admin/").status_code == 200
