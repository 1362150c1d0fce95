"""Staff sign in with their directory account (LDAP / Active Directory), against a real slapd.

Directory groups give Sachstand's roles, refreshed at every sign-in; local accounts keep working.
"""

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from masterplan.roles import is_admin, is_committee, is_editor_of, is_lead_of

from .conftest import DIRECTORY_ENV, TLS_PORT, UNUSED_PORT, apply_environment

pytestmark = [pytest.mark.ldap, pytest.mark.django_db]


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def working_group(programme, number: int):
    return programme.working_groups.get(number=number)


def test_staff_member_signs_in_with_directory_password(client, directory_signin, programme):
    response = sign_in(client, "rita", "rita-secret")

    assert response.status_code == 302
    rita = signed_in_user(client)
    assert rita.username == "rita"
    assert (rita.first_name, rita.last_name) == ("Rita", "Redaktion")
    assert rita.email == "rita@stadt.example"
    # The password stays in the directory: the account has none Sachstand could check.
    assert not rita.has_usable_password()
    assert client.get("/").status_code == 200


def test_username_is_matched_without_case(client, directory_signin, programme):
    sign_in(client, "rita", "rita-secret")
    client.logout()

    response = sign_in(client, "Rita", "rita-secret")

    assert response.status_code == 302
    assert list(User.objects.values_list("username", flat=True)) == ["rita"]


def test_wrong_directory_password_is_refused(client, directory_signin, programme):
    response = sign_in(client, "rita", "falsch")

    assert response.status_code == 200
    assert signed_in_user(client) is None
    assert "error-summary" in response.content.decode()


def test_unknown_person_is_refused(client, directory_signin, programme):
    response = sign_in(client, "niemand", "rita-secret")

    assert response.status_code == 200
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_directory_groups_give_the_roles(client, directory_signin, programme):
    users = {}
    for name in ("amelie", "ole", "rita", "leo", "paul"):
        sign_in(client, name, f"{name}-secret")
        users[name] = signed_in_user(client)
        client.logout()
    group_1, group_2, group_3 = (working_group(programme, n) for n in (1, 2, 3))

    assert is_admin(users["amelie"]) and users["amelie"].is_staff
    assert is_committee(users["ole"]) and not is_admin(users["ole"])
    assert is_editor_of(users["rita"], group_1) and is_editor_of(users["rita"], group_3)
    assert not is_editor_of(users["rita"], group_2) and not is_lead_of(users["rita"], group_1)
    assert is_lead_of(users["leo"], group_2) and not is_editor_of(users["leo"], group_2)
    paul = users["paul"]
    assert not (is_admin(paul) or is_committee(paul) or paul.is_staff)
    assert not (paul.editable_working_groups.exists() or paul.led_working_groups.exists())


def test_directory_admin_reaches_the_admin_site(client, directory_signin, programme):
    sign_in(client, "amelie", "amelie-secret")

    assert client.get("/admin/").status_code == 200


def test_removed_from_a_group_loses_the_role_at_next_sign_in(
    client, directory_signin, directory, programme
):
    for name in ("rita", "ole", "amelie"):
        sign_in(client, name, f"{name}-secret")
        client.logout()
    directory.remove_member("sachstand-ag1-redaktion", "rita")
    directory.remove_member("lenkungskreis", "ole")
    directory.remove_member("sachstand-admins", "amelie")

    for name in ("rita", "ole", "amelie"):
        assert sign_in(client, name, f"{name}-secret").status_code == 302
        client.logout()

    rita, ole, amelie = (User.objects.get(username=n) for n in ("rita", "ole", "amelie"))
    assert not is_editor_of(rita, working_group(programme, 1))
    assert is_editor_of(rita, working_group(programme, 3))
    assert not is_committee(ole)
    assert not is_admin(amelie) and not amelie.is_staff


def test_added_to_a_group_gains_the_role_at_next_sign_in(
    client, directory_signin, directory, programme
):
    sign_in(client, "paul", "paul-secret")
    client.logout()
    directory.add_member("sachstand-ag2-leitung", "paul")

    sign_in(client, "paul", "paul-secret")

    assert is_lead_of(User.objects.get(username="paul"), working_group(programme, 2))


def test_roles_without_a_mapping_stay_as_an_admin_set_them(client, slapd, settings, programme):
    environment = {**DIRECTORY_ENV, "LDAP_LEAD_GROUP_PATTERN": "", "LDAP_COMMITTEE_GROUP": ""}
    apply_environment(settings, environment)
    sign_in(client, "rita", "rita-secret")
    client.logout()
    rita = User.objects.get(username="rita")
    working_group(programme, 4).leads.add(rita)

    sign_in(client, "rita", "rita-secret")

    assert is_lead_of(rita, working_group(programme, 4))
    assert is_editor_of(rita, working_group(programme, 1))


def test_local_accounts_still_sign_in(client, directory_signin, programme):
    User.objects.create_superuser("notfall", "notfall@example.org", "break-glass")

    response = sign_in(client, "notfall", "break-glass")

    assert response.status_code == 302
    assert signed_in_user(client).username == "notfall"


def test_local_accounts_sign_in_when_the_directory_is_down(client, slapd, settings, programme):
    apply_environment(
        settings, {**DIRECTORY_ENV, "LDAP_SERVER_URI": f"ldap://127.0.0.1:{UNUSED_PORT}"}
    )
    User.objects.create_superuser("notfall", "notfall@example.org", "break-glass")

    assert sign_in(client, "rita", "rita-secret").status_code == 200
    assert signed_in_user(client) is None
    assert sign_in(client, "notfall", "break-glass").status_code == 302


def test_admin_login_page_takes_directory_accounts(client, directory_signin, programme):
    response = client.post(
        reverse("admin:login"),
        {"username": "amelie", "password": "amelie-secret", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_directory_sign_in_goes_through_the_lockout(client, directory_signin, programme):
    for _ in range(5):  # LOGIN_FAILURE_LIMIT's default
        sign_in(client, "rita", "falsch")

    locked = sign_in(client, "rita", "rita-secret")

    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in locked.content.decode()
    assert signed_in_user(client) is None
    assert AccessFailureLog.objects.filter(username="rita").count() == 6

    call_command("axes_reset_username", "rita")
    assert sign_in(client, "rita", "rita-secret").status_code == 302


def test_login_page_asks_for_the_windows_account(client, directory_signin, settings):
    assert "Windows-Anmeldung" in client.get(reverse("login")).content.decode()

    settings.AUTHENTICATION_BACKENDS = [
        b for b in settings.AUTHENTICATION_BACKENDS if "directory" not in b
    ]
    assert "Windows-Anmeldung" not in client.get(reverse("login")).content.decode()


def test_local_account_of_a_directory_name_loses_its_local_password(
    client, directory_signin, programme
):
    """Otherwise it would still sign in with the old password once the directory refuses it."""
    User.objects.create_user("paul", "paul@example.org", "altes-passwort")

    assert sign_in(client, "paul", "paul-secret").status_code == 302
    client.logout()

    paul = User.objects.get(username="paul")
    assert not paul.has_usable_password()
    assert paul.email == "paul@stadt.example"
    assert sign_in(client, "paul", "altes-passwort").status_code == 200


def test_signs_in_over_ldaps_with_the_city_ca(client, slapd, settings, programme):
    apply_environment(
        settings,
        {
            **DIRECTORY_ENV,
            "LDAP_SERVER_URI": f"ldaps://127.0.0.1:{TLS_PORT}",
            "LDAP_CA_CERT_FILE": str(slapd.ca),
        },
    )

    assert sign_in(client, "rita", "rita-secret").status_code == 302


def test_signs_in_with_start_tls(client, slapd, settings, programme):
    apply_environment(
        settings, {**DIRECTORY_ENV, "LDAP_START_TLS": "true", "LDAP_CA_CERT_FILE": str(slapd.ca)}
    )

    assert sign_in(client, "rita", "rita-secret").status_code == 302


def test_refuses_a_directory_whose_certificate_it_cannot_verify(client, slapd, settings, programme):
    """Without the city's CA the server's certificate is unknown: no sign-in, no error page."""
    apply_environment(
        settings, {**DIRECTORY_ENV, "LDAP_SERVER_URI": f"ldaps://127.0.0.1:{TLS_PORT}"}
    )
    User.objects.create_superuser("notfall", "notfall@example.org", "break-glass")

    assert sign_in(client, "rita", "rita-secret").status_code == 200
    assert signed_in_user(client) is None
    assert sign_in(client, "notfall", "break-glass").status_code == 302
