from django.core.management.base import BaseCommand, CommandError

from masterplan.demo import DEMO_PASSWORD, demo_accounts_create, demo_programme_publish
from masterplan.models import Programme


class Command(BaseCommand):
    help = (
        "Create the demo accounts admin, editor1, editor2, lead1 and committee (password: demo) "
        "and make the programme public."
    )

    def handle(self, *args, **options):
        programme = Programme.objects.current()
        if programme is None:
            raise CommandError("No programme yet: run `manage.py load_seed` first.")
        users = demo_accounts_create(programme=programme)
        demo_programme_publish(programme=programme)
        names = ", ".join(user.username for user in users)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ({DEMO_PASSWORD!r}): {names}"))
        self.stdout.write(f"Public site: /oeffentlich/{programme.pk}/ ({programme.name})")
