"""The directory sign-in is configured by LDAP_* environment variables
(masterplan.directory_config); an incomplete configuration is refused, naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from masterplan.directory_config import (
    AXES_BACKEND,
    DIRECTORY_BACKEND,
    LOCAL_BACKEND,
    directory_settings,
)

COMPLETE = {
    "LDAP_SERVER_URI": "ldaps://dc1.stadt.example",
    "LDAP_USER_SEARCH_BASE": "ou=Mitarbeitende,dc=stadt,dc=example",
    "LDAP_USER_FILTER": "(sAMAccountName=%(user)s)",
    "LDAP_GROUP_SEARCH_BASE": "ou=Gruppen,dc=stadt,dc=example",
    "LDAP_GROUP_TYPE": "nestedActiveDirectory",
    "LDAP_ADMIN_GROUP": "CN=Sachstand-Admins,OU=Gruppen,DC=stadt,DC=example",
    "LDAP_EDITOR_GROUP_PATTERN": "CN=Sachstand-AG{number},OU=Gruppen,DC=stadt,DC=example",
}


def test_without_a_server_only_local_accounts_sign_in():
    result = directory_settings({})

    assert result["AUTHENTICATION_BACKENDS"] == [AXES_BACKEND, LOCAL_BACKEND]
    assert not any(name.startswith("AUTH_LDAP_") for name in result)


def test_with_a_server_the_directory_comes_between_lockout_and_local_accounts():
    result = directory_settings(COMPLETE)

    assert result["AUTHENTICATION_BACKENDS"] == [AXES_BACKEND, DIRECTORY_BACKEND, LOCAL_BACKEND]
    assert result["AUTH_LDAP_SERVER_URI"] == "ldaps://dc1.stadt.example"
    assert result["AUTH_LDAP_USER_SEARCH"].filterstr == "(sAMAccountName=%(user)s)"
    assert type(result["AUTH_LDAP_GROUP_TYPE"]).__name__ == "NestedActiveDirectoryGroupType"
    assert result["DIRECTORY_ADMIN_GROUP"] == COMPLETE["LDAP_ADMIN_GROUP"]
    assert result["DIRECTORY_COMMITTEE_GROUP"] == ""


@pytest.mark.parametrize(
    "change, variable",
    [
        ({"LDAP_USER_SEARCH_BASE": ""}, "LDAP_USER_SEARCH_BASE"),
        ({"LDAP_GROUP_TYPE": "Gruppen"}, "LDAP_GROUP_TYPE"),
        ({"LDAP_GROUP_SEARCH_BASE": ""}, "LDAP_ADMIN_GROUP"),
        ({"LDAP_EDITOR_GROUP_PATTERN": "cn=ag1,dc=stadt"}, "LDAP_EDITOR_GROUP_PATTERN"),
        ({"LDAP_LEAD_GROUP_PATTERN": "cn=ag{nummer},dc=stadt"}, "LDAP_LEAD_GROUP_PATTERN"),
        ({"LDAP_LEAD_GROUP_PATTERN": "cn=ag{number}{,dc=stadt"}, "LDAP_LEAD_GROUP_PATTERN"),
        ({"LDAP_START_TLS": "vielleicht"}, "LDAP_START_TLS"),
        ({"LDAP_TIMEOUT": "kurz"}, "LDAP_TIMEOUT"),
    ],
)
def test_incomplete_configuration_is_refused_naming_the_variable(change, variable):
    with pytest.raises(ImproperlyConfigured, match=variable):
        directory_settings({**COMPLETE, **change})


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_take_sign_in_and_lockout_from_the_environment():
    show = (
        "from django.conf import settings as s; "
        "print(s.AUTHENTICATION_BACKENDS, s.AXES_FAILURE_LIMIT, s.LOGIN_FAILURE_LIMIT_PER_ADDRESS,"
        " s.AXES_COOLOFF_TIME, s.DIRECTORY_ADMIN_GROUP)"
    )
    environment = {
        **COMPLETE,
        "LOGIN_FAILURE_LIMIT": "3",
        "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "50",
        "LOGIN_LOCKOUT_MINUTES": "0",
    }

    result = manage(environment, "shell", "-c", show)

    assert result.returncode == 0, result.stderr
    assert DIRECTORY_BACKEND in result.stdout
    assert " 3 50 None CN=Sachstand-Admins," in result.stdout


def test_settings_refuse_an_incomplete_directory_at_start():
    result = manage({"LDAP_SERVER_URI": "ldaps://dc1.stadt.example"}, "check")

    assert result.returncode != 0
    assert "LDAP_USER_SEARCH_BASE" in result.stderr
