"""Who may do what with measures, for the web pages (see `masterplan.roles` for the roles).

- Admins edit, create and restore every measure.
- Editors edit the measures of the working groups they are assigned to (possibly several).
- Everyone else who is logged in (the steering committee, editors for other groups) reads.
"""

from masterplan.roles import is_admin, is_editor_of

from .models import Measure


def editable_working_group_ids(user) -> set[int] | None:
    """The working groups whose measures the user may edit; None means all of them."""
    if is_admin(user):
        return None
    if not user.is_authenticated:
        return set()
    return set(user.editable_working_groups.values_list("pk", flat=True))


def can_edit_measure(user, measure: Measure) -> bool:
    return is_admin(user) or is_editor_of(user, measure.working_group)


def can_create_measure(user) -> bool:
    return is_admin(user)


def can_restore_measure(user) -> bool:
    return is_admin(user)
