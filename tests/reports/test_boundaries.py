"""The web processes do not load the PDF machinery: only the worker renders PDFs."""

import subprocess
import sys

from django.conf import settings

PROBE = """
import django, sys
django.setup()
import masterplan.urls
import reports.views, reports.services, measures.views
loaded = sorted(name for name in ("weasyprint", "pydyf", "reports.pdf") if name in sys.modules)
print(",".join(loaded))
"""


def test_the_web_urls_and_views_do_not_import_weasyprint():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "masterplan.settings", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert result.stdout.strip() == ""
