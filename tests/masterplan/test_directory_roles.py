"""The one rule from directory groups to roles (masterplan.directory.user_directory_roles_apply),
as Active Directory answers: DNs in any case and spacing."""

import pytest
from django.contrib.auth.models import User

from masterplan.directory import dn_normalize, user_directory_roles_apply
from masterplan.roles import is_admin, is_committee, is_editor_of, is_lead_of


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def test_dns_compare_without_case_and_spacing():
    assert dn_normalize("CN=Sachstand-Admins, OU=Gruppen,DC=Stadt") == dn_normalize(
        "cn=sachstand-admins,ou=gruppen,dc=stadt"
    )
    assert dn_normalize("cn=ag1,dc=stadt") != dn_normalize("cn=ag11,dc=stadt")


def test_groups_in_any_spelling_give_the_roles(programme, settings):
    settings.DIRECTORY_ADMIN_GROUP = "cn=sachstand-admins,ou=gruppen,dc=stadt"
    settings.DIRECTORY_COMMITTEE_GROUP = "cn=lenkungskreis,ou=gruppen,dc=stadt"
    settings.DIRECTORY_EDITOR_GROUP_PATTERN = "cn=ag{number}-redaktion,ou=gruppen,dc=stadt"
    settings.DIRECTORY_LEAD_GROUP_PATTERN = "cn=ag-{numeral}-leitung,ou=gruppen,dc=stadt"
    user = User.objects.create_user("ida")

    user_directory_roles_apply(
        user=user,
        group_dns=[
            "CN=Sachstand-Admins,OU=Gruppen,DC=stadt",
            "CN=Lenkungskreis, OU=Gruppen, DC=stadt",
            "CN=AG2-Redaktion,OU=Gruppen,DC=stadt",
            "CN=AG-IV-Leitung,OU=Gruppen,DC=stadt",
        ],
    )

    groups = {wg.number: wg for wg in programme.working_groups.all()}
    assert is_admin(user) and user.is_staff and is_committee(user)
    assert [n for n, wg in groups.items() if is_editor_of(user, wg)] == [2]
    assert [n for n, wg in groups.items() if is_lead_of(user, wg)] == [4]

    user_directory_roles_apply(user=user, group_dns=[])

    user.refresh_from_db()
    assert not (is_admin(user) or user.is_staff or is_committee(user))
    assert not any(is_editor_of(user, wg) or is_lead_of(user, wg) for wg in groups.values())


def test_each_role_granted_or_taken_is_logged(programme, settings, caplog):
    settings.DIRECTORY_COMMITTEE_GROUP = "cn=lenkungskreis,dc=stadt"
    settings.DIRECTORY_EDITOR_GROUP_PATTERN = "cn=ag{number},dc=stadt"
    user = User.objects.create_user("ida")
    caplog.set_level("INFO", logger="masterplan.directory")

    committee, group_1, group_2 = "cn=lenkungskreis,dc=stadt", "cn=ag1,dc=stadt", "cn=ag2,dc=stadt"
    user_directory_roles_apply(user=user, group_dns=[committee, group_1])
    user_directory_roles_apply(user=user, group_dns=[group_1, group_2])
    user_directory_roles_apply(user=user, group_dns=[group_1, group_2])

    assert [r.getMessage() for r in caplog.records] == [
        "Directory roles of ida changed: +Lenkungskreis, +editors I",
        "Directory roles of ida changed: -Lenkungskreis, +editors II",
    ]
