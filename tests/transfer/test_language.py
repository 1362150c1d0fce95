"""A worker has no request to say the reader's language: an import is checked and applied in
the language of the person who uploaded (or confirmed) it."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from transfer.models import ImportRun
from transfer.services import import_run_process

from .conftest import FILES


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


VALIDATING = ImportRun.State.VALIDATING


@pytest.fixture
def large_upload(client, programme, admin_user, media_root, settings):
    """Upload a file as a large one (checked on a worker), in the given language."""
    settings.IMPORT_INLINE_MAX_BYTES = 0

    def upload(name, language, capture):
        client.force_login(admin_user)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
        with capture(execute=False), open(FILES / name, "rb") as handle:
            client.post(reverse("transfer:import"), {"programme": programme.pk, "file": handle})
        run = ImportRun.objects.get()
        assert run.state == VALIDATING  # waiting for the worker
        return run

    return upload


def texts(run):
    return [error["text"] for error in run.errors]


def test_an_english_upload_is_checked_on_the_worker_in_english(
    large_upload, django_capture_on_commit_callbacks
):
    run = large_upload("unknown-working-group.csv", "en", django_capture_on_commit_callbacks)
    assert run.language == "en"

    with translation.override("de"):  # what a worker runs in: the site's language
        run = import_run_process(run_id=run.pk, state=VALIDATING)

    assert run.state == ImportRun.State.REJECTED
    assert any(
        "Row 2, Column Arbeitsgruppe: There is no working group 'V' (I, II, III, IV)." in text
        for text in texts(run)
    ), texts(run)


def test_a_german_upload_is_checked_on_the_worker_in_german(
    large_upload, django_capture_on_commit_callbacks
):
    run = large_upload("unknown-working-group.csv", "de", django_capture_on_commit_callbacks)

    with translation.override("en"):
        run = import_run_process(run_id=run.pk, state=VALIDATING)

    assert any(
        "Zeile 2, Spalte Arbeitsgruppe: Die Arbeitsgruppe 'V' gibt es nicht" in text
        for text in texts(run)
    ), texts(run)
