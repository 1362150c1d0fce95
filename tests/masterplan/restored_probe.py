"""Run in a process of its own against a restored database and media storage (from the
environment): prints, as JSON, what `tests/masterplan/test_backup.py` compares with the
original. `python -m tests.masterplan.restored_probe USERNAME`."""

import hashlib
import json
import os
import sys
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masterplan.settings")
django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from masterplan.models import Programme  # noqa: E402
from reports.models import ReportState, StatusReport  # noqa: E402
from reports.pdf import render_report_pdf  # noqa: E402
from reports.rendering import render_report_html  # noqa: E402
from reports.services import report_request  # noqa: E402
from transfer.models import ImportRun  # noqa: E402


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(username: str) -> dict:
    # Counted before anything here writes: signing in adds a sign-in record (django-axes).
    counts = {
        model._meta.label_lower: model._default_manager.count() for model in apps.get_models()
    }
    signed_in = Client(SERVER_NAME="localhost")
    signed_in.force_login(User.objects.get(username=username))
    anonymous = Client(SERVER_NAME="localhost")
    reports = {}
    for report in StatusReport.objects.filter(state=ReportState.DONE).order_by("pk"):
        url = reverse("reports:download", args=[report.pk])
        response = signed_in.get(url)
        refused = anonymous.get(url)
        rebuilt = render_report_pdf(
            render_report_html(report.snapshot), pdf_variant=report.pdf_variant
        )
        reports[report.pk] = {
            "status": response.status_code,
            "download": sha256(b"".join(response.streaming_content)),
            "rebuilt": sha256(rebuilt.content),
            "anonymous": [refused.status_code, refused.get("Location", "")],
        }
    imports = {}
    for run in ImportRun.objects.exclude(file="").order_by("pk"):
        with run.file.open("rb") as handle:
            imports[run.pk] = sha256(handle.read())
    # Sequences continue after the restored rows: a new report gets a new number.
    new_report = report_request(
        programme=Programme.objects.current(),
        title="Nach der Wiederherstellung",
        ds_number="",
        report_date=date(2026, 11, 25),
        enqueue=False,
    )
    return {"reports": reports, "imports": imports, "counts": counts, "new_report": new_report.pk}


if __name__ == "__main__":
    json.dump(main(sys.argv[1]), sys.stdout)
