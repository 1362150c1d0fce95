"""Back up the database and the media files (disk or bucket) into one archive.

    manage.py backup --output /backups/sachstand-2026-11-25.tar.gz

Restore it with `manage.py restore` into an empty database (docs/betrieb.md).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masterplan.backup import BackupRefused, backup_write


class Command(BaseCommand):
    help = "Write the database and every media file into one archive (tar.gz)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The archive to write (new file).")

    def handle(self, *args, **options):
        try:
            summary = backup_write(output=Path(options["output"]))
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        for name in summary.missing_files:
            self.stderr.write(f"Warning: the database names {name}, which is not in the storage.")
        megabytes = summary.media_bytes / 1024 / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {summary.path}: {summary.rows} rows, {summary.media_files} media files"
                f" ({megabytes:.1f} MB)."
            )
        )
