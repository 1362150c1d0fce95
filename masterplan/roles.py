"""Who may do what, in words the programme office uses.

- admins: superusers; everything, including imports and restoring old versions.
- editors: users assigned to a working group (WorkingGroup.editors); they edit that group's
  measures and read the rest.
- steering committee: members of the group named below; read everything, build and download
  reports, edit nothing.
"""

STEERING_COMMITTEE_GROUP = "Lenkungskreis"


def is_admin(user) -> bool:
    return user.is_authenticated and user.is_superuser


def is_committee(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=STEERING_COMMITTEE_GROUP).exists()


def can_build_reports(user) -> bool:
    return is_admin(user) or is_committee(user)
