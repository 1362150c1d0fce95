"""Restore an archive of `manage.py backup` into an EMPTY database and the media storage.

    createdb sachstand_restored
    DATABASE_URL=postgres://…/sachstand_restored manage.py restore sachstand-2026-11-25.tar.gz

Everything is checked first (archive complete and undamaged, made by this or an older version,
database empty, no conflicting media file); a refusal changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masterplan.backup import BackupRefused, restore, restore_is_atomic


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and the media storage."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="An archive written by `manage.py backup`.")

    def handle(self, *args, **options):
        try:
            summary = restore(archive_path=Path(options["archive"]))
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        except Exception as error:
            hint = (
                "the database is unchanged"
                if restore_is_atomic()
                else "the database is partly restored: delete it and restore into a new one"
            )
            raise CommandError(f"Restore failed ({error}); {hint}.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {summary.rows} rows and {summary.media_files} media files"
                f" ({summary.media_kept} were in the storage already)."
            )
        )
