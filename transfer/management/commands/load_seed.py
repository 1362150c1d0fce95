from django.core.management.base import BaseCommand, CommandError

from transfer.seed import SEED_PATH, SeedAlreadyLoaded, programme_load_seed


class Command(BaseCommand):
    help = "Load the seed masterplan (programme, working groups, legend, 25 measures)."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(SEED_PATH), help="Seed file (JSON).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when the programme exists already.",
        )

    def handle(self, *args, path, if_empty, **options):
        try:
            programme = programme_load_seed(path=path)
        except SeedAlreadyLoaded as exists:
            if if_empty:
                self.stdout.write(f"Seed already loaded: {exists}")
                return
            raise CommandError(f"The programme „{exists}“ exists already.") from None
        count = programme.measures.count()
        self.stdout.write(self.style.SUCCESS(f"Loaded „{programme}“ with {count} measures."))
