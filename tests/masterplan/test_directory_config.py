"""The directory sign-in is configured by LDAP_* environment variables
(masterplan.directory_config); an incomplete configuration is refused, naming the variable."""

import pytest
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
        ({"LDAP_START_TLS": "vielleicht"}, "LDAP_START_TLS"),
        ({"LDAP_TIMEOUT": "kurz"}, "LDAP_TIMEOUT"),
    ],
)
def test_incomplete_configuration_is_refused_naming_the_variable(change, variable):
    with pytest.raises(ImproperlyConfigured, match=variable):
        directory_settings({**COMPLETE, **change})
