"""manage.py export_programme FILE: the programme as .xlsx workbook or one kind as .csv."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from transfer.columns import KINDS, MEASURES
from transfer.services import programme_export

from ._programme import programme_from_option


class Command(BaseCommand):
    help = (
        "Exports a programme. The format follows the extension: .xlsx writes a workbook with "
        "a sheet per kind (or only --kind), .csv writes one kind (measures unless --kind)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=KINDS)
        parser.add_argument("--programme", help="name or id (default: the only programme)")

    def handle(self, *args, file: Path, kind, programme, **options):
        file_format = file.suffix.lower().lstrip(".")
        if file_format not in ("xlsx", "csv"):
            raise CommandError(f"{file}: bitte .xlsx oder .csv als Endung angeben.")
        if file_format == "csv":
            kind = kind or MEASURES
        data = programme_export(
            programme=programme_from_option(programme), file_format=file_format, kind=kind
        )
        file.write_bytes(data)
        self.stdout.write(f"{file}: {len(data)} Bytes geschrieben.")
