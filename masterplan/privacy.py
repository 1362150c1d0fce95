"""Personal data: whose name a page shows, and how long records about people are kept.

Names of the people who changed, entered, approved or requested something (the history of a
measure, KPI values, status-update events, reports, imports) are personal data whose display
the staff council co-determines (LPVG NRW §72). `person_name` is the one rule for showing
them; templates use it through the `person_name` filter (`{% load people %}`).
Retention (deleting old login records and e-mail logs) is `masterplan.retention`.
See docs/datenschutz.md.
"""

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _

from masterplan.roles import is_admin


def pseudonym(person) -> str:
    """A stable stand-in for `person`: the same person is the same pseudonym on every page, but
    nothing in it leads back to them (a keyed hash of the user id; a new SECRET_KEY gives new
    pseudonyms)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"person-{person.pk}".encode(), hashlib.sha256
    ).hexdigest()
    return _("Person %(code)s") % {"code": digest[:6].upper()}


def person_name(person, viewer) -> str:
    """The name of `person` as `viewer` may see it; "" for no person (the system, an import).

    With PSEUDONYMISE_NAMES on, everyone but admins sees pseudonyms, except their own name.
    """
    if person is None:
        return ""
    # A page without a signed-in viewer (or a template without `user`) sees pseudonyms.
    signed_in = getattr(viewer, "is_authenticated", False)
    if settings.PSEUDONYMISE_NAMES and not (
        signed_in and (is_admin(viewer) or viewer.pk == person.pk)
    ):
        return pseudonym(person)
    return person.get_full_name() or person.get_username()
