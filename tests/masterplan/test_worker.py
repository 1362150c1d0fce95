import pytest

from masterplan.tasks import programme_summary

pytestmark = pytest.mark.worker


def test_a_real_worker_process_reads_the_committed_programme(programme, celery_worker_process):
    result = programme_summary.delay(programme.pk)

    summary = result.get(timeout=60)

    assert summary == {
        "programme": "Masterplan Digitale Verwaltung – Arbeiten 4.0",
        "working_groups": 4,
        "measures": 25,
    }
