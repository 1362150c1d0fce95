"""Who may do what, in words the programme office uses.

- admins: superusers; everything, including imports and restoring old versions.
- editors: users assigned to a working group (WorkingGroup.editors); they edit that group's
  measures and read the rest.
- leads: users assigned as a working group's lead (WorkingGroup.leads); they review and approve
  the status updates of that group's measures in a reporting round.
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


def is_lead_of(user, working_group) -> bool:
    return user.is_authenticated and working_group.leads.filter(pk=user.pk).exists()


def is_editor_of(user, working_group) -> bool:
    return user.is_authenticated and working_group.editors.filter(pk=user.pk).exists()
