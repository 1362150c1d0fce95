from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from masterplan.models import Programme
from rounds.demo import DEMO_UPDATES, demo_round_create


class Command(BaseCommand):
    help = (
        "Create a closed demo reporting round with approved status updates (after "
        "create_demo_accounts), unless the programme already has rounds."
    )

    def handle(self, *args, **options):
        programme = Programme.objects.current()
        if programme is None:
            raise CommandError("No programme yet: run `manage.py load_seed` first.")
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            raise CommandError("No admin yet: run `manage.py create_demo_accounts` first.")
        round_ = demo_round_create(programme=programme, by=admin)
        if round_ is None:
            self.stdout.write("The programme has reporting rounds already: nothing to do.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Demo round {round_.name!r}: {len(DEMO_UPDATES)} approved updates")
        )
