"""Sign-in against the city's directory (LDAP / Active Directory), and the one rule that turns
directory groups into Sachstand's roles (masterplan.roles).

The backend is django-auth-ldap's, configured from environment variables in settings.py; it is
only in AUTHENTICATION_BACKENDS when LDAP_SERVER_URI is set. At every directory sign-in the roles
the mapping names are set from the user's groups, so a person removed from a group loses the role
at the next sign-in. A role whose mapping is not set stays as an admin set it by hand, so an
installation may take some roles from the directory and keep others in Sachstand.

The mapping (settings, each a group DN; empty: not taken from the directory):
- DIRECTORY_ADMIN_GROUP: admins (superuser and staff)
- DIRECTORY_COMMITTEE_GROUP: the steering committee (Django group roles.STEERING_COMMITTEE_GROUP)
- DIRECTORY_EDITOR_GROUP_PATTERN, DIRECTORY_LEAD_GROUP_PATTERN: a DN with `{number}` (or
  `{numeral}`) standing for a working group of the current programme, e.g.
  `cn=sachstand-ag{number}-redaktion,ou=groups,dc=stadt,dc=example`.
"""

import logging
from collections.abc import Iterable

import ldap.dn
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend

from .models import Programme
from .roles import STEERING_COMMITTEE_GROUP

logger = logging.getLogger(__name__)


def dn_normalize(dn: str) -> str:
    """One spelling of a DN, so that directory answers and configured DNs compare equal
    (Active Directory answers `CN=…,OU=…` with varying case and spacing)."""
    try:
        parts = ldap.dn.str2dn(dn.strip())
    except ldap.DECODING_ERROR:
        return dn.strip().lower()
    return ldap.dn.dn2str(
        [[(attr.lower(), value.lower(), flags) for attr, value, flags in rdn] for rdn in parts]
    )


@transaction.atomic
def user_directory_roles_apply(*, user: User, group_dns: Iterable[str]) -> None:
    """Set the roles the directory mapping manages from the user's directory groups; each role
    granted or taken is logged."""
    member_of = {dn_normalize(dn) for dn in group_dns}
    changes: list[str] = []

    def in_group(dn: str) -> bool:
        return dn_normalize(dn) in member_of

    if settings.DIRECTORY_ADMIN_GROUP:
        is_admin = in_group(settings.DIRECTORY_ADMIN_GROUP)
        if (user.is_superuser, user.is_staff) != (is_admin, is_admin):
            changes.append(f"{'+' if is_admin else '-'}admin")
            user.is_superuser = user.is_staff = is_admin
            user.save(update_fields=["is_superuser", "is_staff"])

    if settings.DIRECTORY_COMMITTEE_GROUP:
        committee, _ = Group.objects.get_or_create(name=STEERING_COMMITTEE_GROUP)
        _set_membership(
            user.groups, committee, in_group(settings.DIRECTORY_COMMITTEE_GROUP), changes
        )

    programme = Programme.objects.current()
    if programme is not None:
        for pattern, relation in (
            (settings.DIRECTORY_EDITOR_GROUP_PATTERN, "editors"),
            (settings.DIRECTORY_LEAD_GROUP_PATTERN, "leads"),
        ):
            if not pattern:
                continue
            for working_group in programme.working_groups.all():
                dn = pattern.format(number=working_group.number, numeral=working_group.numeral)
                members = getattr(working_group, relation)
                member = members.filter(pk=user.pk).exists()
                if in_group(dn) != member:
                    changes.append(f"{'-' if member else '+'}{relation} {working_group.numeral}")
                    (members.remove if member else members.add)(user)
    if changes:
        logger.info("Directory roles of %s changed: %s", user.username, ", ".join(changes))


def _set_membership(related, obj, wanted: bool, changes: list[str]) -> None:
    present = related.filter(pk=obj.pk).exists()
    if wanted != present:
        changes.append(f"{'+' if wanted else '-'}{obj}")
        (related.add if wanted else related.remove)(obj)


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend; after each successful directory sign-in the mapped roles are
    refreshed (user_directory_roles_apply). The directory's password is the only one a directory
    account has."""

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is not None:
            if user.has_usable_password():
                # A local account of the same name became a directory account: its old local
                # password must not outlive the directory account (ModelBackend would take it).
                user.set_unusable_password()
                user.save(update_fields=["password"])
            searches_groups = self.settings.GROUP_SEARCH is not None
            group_dns = ldap_user.group_dns if searches_groups else ()
            user_directory_roles_apply(user=user, group_dns=group_dns)
        return user
