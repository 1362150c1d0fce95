"""The directory sign-in's settings, read from the environment (settings.py applies them).

A pure function of the environment, so that the tests configure the backend against their own
OpenLDAP server exactly as an installation's environment would.

Without LDAP_SERVER_URI there is no directory sign-in: only Sachstand's own accounts.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

AXES_BACKEND = "axes.backends.AxesStandaloneBackend"
DIRECTORY_BACKEND = "masterplan.directory.DirectoryBackend"
LOCAL_BACKEND = "django.contrib.auth.backends.ModelBackend"

GROUP_TYPES = {
    "groupOfNames": "GroupOfNamesType",
    "groupOfUniqueNames": "GroupOfUniqueNamesType",
    "posixGroup": "PosixGroupType",
    "activeDirectory": "ActiveDirectoryGroupType",
    "nestedActiveDirectory": "NestedActiveDirectoryGroupType",
}


def directory_settings(env: Mapping[str, str]) -> dict[str, object]:
    """AUTHENTICATION_BACKENDS, the role mapping (DIRECTORY_*) and django-auth-ldap's
    AUTH_LDAP_* settings for the environment `env`. Refuses an incomplete configuration,
    naming the variable at fault."""

    def get(name: str, default: str = "") -> str:
        return (env.get(name) or default).strip()

    def get_int(name: str, default: int) -> int:
        try:
            return int(get(name, str(default)))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be an integer, got {get(name)!r}") from None

    server_uri = get("LDAP_SERVER_URI")
    # Directory groups → roles (masterplan.directory.user_directory_roles_apply), each a group
    # DN; the working-group patterns hold `{number}` (or `{numeral}`). Empty: set by hand.
    result: dict[str, object] = {
        "AUTHENTICATION_BACKENDS": [
            AXES_BACKEND,
            *([DIRECTORY_BACKEND] if server_uri else []),
            LOCAL_BACKEND,
        ],
        "DIRECTORY_ADMIN_GROUP": get("LDAP_ADMIN_GROUP"),
        "DIRECTORY_COMMITTEE_GROUP": get("LDAP_COMMITTEE_GROUP"),
        "DIRECTORY_EDITOR_GROUP_PATTERN": get("LDAP_EDITOR_GROUP_PATTERN"),
        "DIRECTORY_LEAD_GROUP_PATTERN": get("LDAP_LEAD_GROUP_PATTERN"),
    }
    for name in ("LDAP_EDITOR_GROUP_PATTERN", "LDAP_LEAD_GROUP_PATTERN"):
        pattern = get(name)
        if not pattern:
            continue
        try:
            one, two = (pattern.format(number=n, numeral=r) for n, r in ((1, "I"), (2, "II")))
        except (KeyError, IndexError, ValueError):
            one = two = None
        if one is None or one == two:
            raise ImproperlyConfigured(
                f"{name} must contain {{number}} or {{numeral}} and no other {{…}}: {pattern!r}"
            )
    if not server_uri:
        return result

    import django_auth_ldap.config as ldap_config
    import ldap

    result["AUTH_LDAP_SERVER_URI"] = server_uri
    start_tls = get("LDAP_START_TLS", "false").lower()
    if start_tls not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise ImproperlyConfigured(f"LDAP_START_TLS must be true or false, got {start_tls!r}")
    result["AUTH_LDAP_START_TLS"] = start_tls in {"1", "true", "yes", "on"}
    # A service account that may search users and groups (empty: anonymous search).
    result["AUTH_LDAP_BIND_DN"] = get("LDAP_BIND_DN")
    result["AUTH_LDAP_BIND_PASSWORD"] = env.get("LDAP_BIND_PASSWORD", "")
    # Either a DN template (`uid=%(user)s,ou=people,dc=…`) or a search base with a filter
    # (Active Directory: `(sAMAccountName=%(user)s)`).
    if get("LDAP_USER_DN_TEMPLATE"):
        result["AUTH_LDAP_USER_DN_TEMPLATE"] = get("LDAP_USER_DN_TEMPLATE")
    elif get("LDAP_USER_SEARCH_BASE"):
        result["AUTH_LDAP_USER_SEARCH"] = ldap_config.LDAPSearch(
            get("LDAP_USER_SEARCH_BASE"),
            ldap.SCOPE_SUBTREE,
            get("LDAP_USER_FILTER", "(uid=%(user)s)"),
        )
    else:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set: set LDAP_USER_SEARCH_BASE (or LDAP_USER_DN_TEMPLATE) too."
        )
    result["AUTH_LDAP_USER_ATTR_MAP"] = {
        "first_name": get("LDAP_ATTR_FIRST_NAME", "givenName"),
        "last_name": get("LDAP_ATTR_LAST_NAME", "sn"),
        "email": get("LDAP_ATTR_EMAIL", "mail"),
    }

    group_type = get("LDAP_GROUP_TYPE", "groupOfNames")
    if group_type not in GROUP_TYPES:
        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, got {group_type!r}"
        )
    if get("LDAP_GROUP_SEARCH_BASE"):
        result["AUTH_LDAP_GROUP_SEARCH"] = ldap_config.LDAPSearch(
            get("LDAP_GROUP_SEARCH_BASE"),
            ldap.SCOPE_SUBTREE,
            get("LDAP_GROUP_FILTER", "(objectClass=*)"),
        )
        result["AUTH_LDAP_GROUP_TYPE"] = getattr(ldap_config, GROUP_TYPES[group_type])()
    else:
        for name in (
            "LDAP_ADMIN_GROUP",
            "LDAP_COMMITTEE_GROUP",
            "LDAP_EDITOR_GROUP_PATTERN",
            "LDAP_LEAD_GROUP_PATTERN",
            "LDAP_REQUIRE_GROUP",
        ):
            if get(name):
                raise ImproperlyConfigured(f"{name} needs LDAP_GROUP_SEARCH_BASE.")
    # Optional: only members of this group may sign in with their directory account.
    result["AUTH_LDAP_REQUIRE_GROUP"] = get("LDAP_REQUIRE_GROUP") or None
    # A directory that does not answer must not hang the sign-in; AD's referrals are not followed.
    timeout = get_int("LDAP_TIMEOUT", 5)
    options = {
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
        ldap.OPT_REFERRALS: 0,
    }
    # The certificate of an ldaps:// or StartTLS server is always verified; LDAP_CA_CERT_FILE
    # names the city's CA when the system's CAs do not know it. NEWCTX last: libldap builds
    # the connection's TLS context from the options set before it.
    if get("LDAP_CA_CERT_FILE"):
        options[ldap.OPT_X_TLS_CACERTFILE] = get("LDAP_CA_CERT_FILE")
    options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
    options[ldap.OPT_X_TLS_NEWCTX] = 0
    result["AUTH_LDAP_CONNECTION_OPTIONS"] = options
    return result
