"""Build a Sachstandsbericht from the command line, e.g. from cron.

    manage.py build_report --output bericht.pdf --ds-number 15160-19 --groups I,II --pdfa

Without --enqueue the report is built in this process; with it, a Celery worker builds it
and the command waits. Either way the report is recorded like one requested in the browser.
"""

import shutil
import time
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from masterplan.models import Programme
from reports.models import PdfVariant, ReportState, StatusReport
from reports.services import report_build, report_request


def _parse_date(value: str) -> date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise CommandError(f"--date: „{value}“ is not a date (YYYY-MM-DD or DD.MM.YYYY).")


class Command(BaseCommand):
    help = "Build a status report PDF (synchronously, or through a Celery worker with --enqueue)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Where to write the PDF.")
        parser.add_argument("--programme", help="Programme name (default: the only one).")
        parser.add_argument(
            "--ds-number",
            help="Drucksachennummer (default: that of the last done report; without one, the"
            " report is a draft).",
        )
        parser.add_argument(
            "--groups",
            help="Working groups, comma-separated numerals or numbers, e.g. I,II (default: all).",
        )
        parser.add_argument("--title", default=StatusReport._meta.get_field("title").default)
        parser.add_argument("--date", help="Report date, YYYY-MM-DD (default: today).")
        parser.add_argument("--pdfa", action="store_true", help="Archival PDF/A-3b.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Build on a Celery worker and wait for it."
        )
        parser.add_argument(
            "--timeout", type=float, default=900, help="Seconds to wait with --enqueue."
        )

    def handle(self, *args, **options):
        programme = self._programme(options["programme"])
        numbers = self._group_numbers(programme, options["groups"])
        ds_number = options["ds_number"] or self._previous_ds_number(programme)
        report_date = _parse_date(options["date"]) if options["date"] else timezone.localdate()
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"--output: the folder {output.parent} does not exist.")
        try:
            report = report_request(
                programme=programme,
                title=options["title"],
                ds_number=ds_number,
                report_date=report_date,
                working_group_numbers=numbers,
                pdf_variant=PdfVariant.PDF_A if options["pdfa"] else PdfVariant.STANDARD,
                enqueue=options["enqueue"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error)) from error
        self.stdout.write(f"Report {report.pk} requested ({report}).")
        if options["enqueue"]:
            report = self._wait(report, options["timeout"])
        else:
            report_build(report_id=report.pk)
            report.refresh_from_db()
        if report.state != ReportState.DONE:
            raise CommandError(f"Report {report.pk} failed: {report.error}")
        partial = output.with_name(f".{output.name}.partial")
        with report.file.open("rb") as source, open(partial, "wb") as target:
            shutil.copyfileobj(source, target)
        partial.replace(output)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output} ({report.page_count} pages, {report.timings.get('total')} s)."
            )
        )

    def _programme(self, name: str | None) -> Programme:
        if name:
            try:
                return Programme.objects.get(name=name)
            except Programme.DoesNotExist:
                raise CommandError(f"--programme: no programme named „{name}“.") from None
        programmes = list(Programme.objects.all()[:2])
        if len(programmes) != 1:
            raise CommandError(
                "--programme is needed: there is no programme"
                if not programmes
                else "--programme is needed: there are several programmes."
            )
        return programmes[0]

    def _group_numbers(self, programme: Programme, groups: str | None) -> list[int]:
        if not groups:
            return []
        by_name = {}
        for group in programme.working_groups.all():
            by_name[group.numeral.upper()] = group.number
            by_name[str(group.number)] = group.number
        numbers = []
        for value in (part.strip() for part in groups.split(",")):
            if value.upper() not in by_name:
                known = ", ".join(sorted(key for key in by_name if not key.isdigit()))
                raise CommandError(f"--groups: no working group „{value}“ (known: {known}).")
            numbers.append(by_name[value.upper()])
        return numbers

    def _previous_ds_number(self, programme: Programme) -> str:
        """The DS number of the last done report; none (a draft) if there is none."""
        previous = StatusReport.objects.latest_done(programme)
        if previous is None:
            self.stdout.write("No --ds-number and no earlier report: building a draft.")
            return ""
        return previous.ds_number

    def _wait(self, report: StatusReport, timeout: float) -> StatusReport:
        deadline = time.monotonic() + timeout
        last_state = None
        while True:
            report.refresh_from_db()
            if report.state != last_state:
                self.stdout.write(f"  {report.get_state_display()}")
                last_state = report.state
            if report.state in (ReportState.DONE, ReportState.FAILED):
                return report
            if time.monotonic() > deadline:
                state = report.get_state_display()
                raise CommandError(
                    f"Report {report.pk} is still {state} after {timeout:.0f} s"
                    " – is a Celery worker running?"
                )
            time.sleep(0.5)
