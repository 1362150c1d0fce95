"""manage.py import_programme FILE [--dry-run]: the browser's import, from the command line."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from transfer.columns import KINDS, SHEET_NAMES
from transfer.services import import_max_bytes, programme_import, too_large_error

from ._programme import programme_from_option


class Command(BaseCommand):
    help = (
        "Imports an XLSX workbook or a CSV file into a programme: checks every row, prints "
        "the plan and applies it in one transaction. Exits non-zero, printing every row "
        "error, when the file is refused; then nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show the plan, change nothing"
        )
        parser.add_argument("--programme", help="name or id (default: the only programme)")
        parser.add_argument("--user", help="username recorded as the author of the changes")
        parser.add_argument(
            "--overwrite-newer",
            action="store_true",
            help="also apply rows of measures changed since the file was exported "
            "(default: skip them)",
        )
        parser.add_argument(
            "--delete-kpi-values",
            action="store_true",
            help="delete KPI values (and KPIs with values) the file leaves out "
            "(default: keep them)",
        )

    def handle(
        self,
        *args,
        file: Path,
        dry_run: bool,
        programme,
        user,
        overwrite_newer: bool,
        delete_kpi_values: bool,
        **options,
    ):
        if not file.is_file():
            raise CommandError(f"{file}: Datei nicht gefunden.")
        size = file.stat().st_size
        if size > import_max_bytes():
            raise CommandError(f"{file}: {too_large_error(size)}")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"Benutzer '{user}' gibt es nicht.")
        outcome = programme_import(
            programme=programme_from_option(programme),
            file_name=file.name,
            data=file.read_bytes(),
            by=by,
            dry_run=dry_run,
            overwrite_newer=overwrite_newer,
            delete_kpi_values=delete_kpi_values,
        )
        run = outcome.run
        if run.errors:
            for error in run.errors:
                self.stderr.write(error["text"])
            raise CommandError(
                f"{file.name}: abgelehnt, {run.error_count} Fehler. Nichts wurde geändert."
            )
        self.stdout.write(f"{'Probelauf' if dry_run else 'Import'} {file.name}:")
        for kind in KINDS:
            counts = run.counts[kind]
            self.stdout.write(
                f"  {SHEET_NAMES[kind][0]:<14} neu {counts['create']:>6}  geändert "
                f"{counts['update']:>6}  gelöscht {counts['delete']:>6}  unverändert "
                f"{counts['unchanged']:>6}"
            )
        for entry in run.plan["measures"]:
            action = "neu" if entry["action"] == "create" else "geändert"
            self.stdout.write(f"  {entry['number']} {entry['title'][:60]} ({action})")
            for name, (old, new) in entry["fields"].items():
                self.stdout.write(f"      {name}: {str(old)[:40]!r} → {str(new)[:40]!r}")
        conflicts = run.plan.get("conflicts", [])
        if conflicts:
            action = "überschrieben" if overwrite_newer else "übersprungen"
            self.stdout.write(
                f"Seit dem Export geändert ({action}; --overwrite-newer überschreibt): "
                + ", ".join(conflicts)
            )
        guarded = run.plan.get("guarded", {}).get("values", 0)
        if guarded:
            action = "gelöscht" if delete_kpi_values else "behalten (--delete-kpi-values löscht)"
            self.stdout.write(f"Kennzahlwerte, die die Datei nicht aufführt: {guarded}, {action}")
        if dry_run:
            self.stdout.write("Probelauf: nichts wurde geändert.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Übernommen (Import #{run.pk})."))
