from django.core.management.base import CommandError

from masterplan.models import Programme


def programme_from_option(value: str | None) -> Programme:
    """The programme by name or id; the only one when not given."""
    programmes = Programme.objects.all()
    if value:
        found = programmes.filter(name=value).first()
        if found is None and value.isdigit():
            found = programmes.filter(pk=int(value)).first()
        if found is None:
            raise CommandError(f"Programm '{value}' gibt es nicht.")
        return found
    if programmes.count() != 1:
        raise CommandError("Bitte mit --programme angeben, welches Programm gemeint ist.")
    return programmes.get()
