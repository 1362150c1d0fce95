from django import template

from masterplan.privacy import person_name as shown_name

register = template.Library()


@register.filter
def person_name(person, viewer):
    """`{{ record.changed_by|person_name:user }}`: masterplan.privacy.person_name."""
    return shown_name(person, viewer)
