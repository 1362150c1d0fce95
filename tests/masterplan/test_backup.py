"""Backup and restore (`manage.py backup` / `restore`): the database and the media files in one
archive, restored into an EMPTY database (a new SQLite file, or a database created afresh on
the PostgreSQL server of the test run) by a process of its own, as an operator would. The
restored reports download and re-render from their snapshots byte for byte as before; bad
input is refused and changes nothing."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from masterplan.backup import MANIFEST, NOT_DUMPED
from masterplan.media import media_names, media_storage
from reports.models import PdfVariant, ReportState
from reports.services import report_build, report_request
from tests.conftest import BASE_DIR, _database_url_of_test_database, s3_keys
from transfer.models import ImportRun

FILES = BASE_DIR / "tests" / "transfer" / "files"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database of the test run's kind."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2

    test_url = _database_url_of_test_database()
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    server = psycopg2.connect(test_url.rsplit("/", 1)[0] + "/postgres")
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield test_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _probe(username: str, **env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.masterplan.restored_probe", username],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _tables(database_url: str) -> list[str]:
    script = "from django.db import connection; print(connection.introspection.table_names())"
    result = _manage("shell", "-c", script, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    return eval(result.stdout.strip().splitlines()[-1])  # a printed list of names


def _dumped_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in NOT_DUMPED and model._meta.label_lower not in NOT_DUMPED
    }


BOTH_VARIANTS = (([1], PdfVariant.STANDARD), ([2], PdfVariant.PDF_A))


def _build_reports(programme, by, kinds=BOTH_VARIANTS) -> dict[int, str]:
    """Done reports (by default a standard and an archival one); the sha256 of each PDF."""
    stored = {}
    for groups, variant in kinds:
        report = report_request(
            programme=programme,
            title="Anhang zum Sachstandsbericht",
            ds_number="15160-19",
            report_date=date(2020, 3, 1),
            working_group_numbers=groups,
            pdf_variant=variant,
            by=by,
            enqueue=False,
        )
        report_build(report_id=report.pk)
        report.refresh_from_db()
        assert report.state == ReportState.DONE, report.error
        with report.file.open("rb") as handle:
            stored[report.pk] = sha256(handle.read())
    return stored


def _upload_import(client, programme, admin_user) -> ImportRun:
    client.force_login(admin_user)
    with open(FILES / "measures-semicolon-bom.csv", "rb") as handle:
        client.post(reverse("transfer:import"), {"programme": programme.pk, "file": handle})
    client.logout()
    return ImportRun.objects.get()


def _assert_restored(probe: dict, stored: dict[int, str], counts: dict, run: ImportRun) -> None:
    assert {int(pk) for pk in probe["reports"]} == set(stored)
    for pk, original in stored.items():
        restored = probe["reports"][str(pk)]
        assert restored["status"] == 200
        assert restored["download"] == original  # the stored PDF, byte for byte
        assert restored["rebuilt"] == original  # re-rendered from the restored snapshot
        status, location = restored["anonymous"]
        assert status == 302 and location.startswith(reverse("login"))
    assert probe["imports"] == {
        str(run.pk): sha256((FILES / "measures-semicolon-bom.csv").read_bytes())
    }
    assert {label: probe["counts"][label] for label in counts} == counts
    assert probe["new_report"] > max(stored)


def test_backup_and_restore_into_an_empty_database_on_disk(
    media_root, tmp_path, programme, admin_user, committee_member, client, empty_database
):
    stored = _build_reports(programme, committee_member)
    run = _upload_import(client, programme, admin_user)
    counts = _dumped_counts()
    archive = tmp_path / "backup.tar.gz"

    call_command("backup", "--output", str(archive))

    restored_media = tmp_path / "restored-media"
    env = {"DATABASE_URL": empty_database, "MEDIA_ROOT": str(restored_media)}
    result = _manage("restore", str(archive), **env)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout
    assert sorted(
        p.relative_to(restored_media).as_posix() for p in restored_media.rglob("*.*")
    ) == (sorted(media_names()))
    _assert_restored(_probe(committee_member.username, **env), stored, counts, run)


def test_backup_of_a_bucket_restores_into_an_empty_database_and_a_new_bucket(
    s3_media, tmp_path, programme, admin_user, committee_member, client, empty_database
):
    stored = _build_reports(programme, committee_member)
    run = _upload_import(client, programme, admin_user)
    counts = _dumped_counts()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(archive))
    new_bucket = f"{s3_media.bucket}-restored"
    s3_media.create_bucket(
        Bucket=new_bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )

    env = {"DATABASE_URL": empty_database, "MEDIA_S3_BUCKET": new_bucket}
    result = _manage("restore", str(archive), **env)

    assert result.returncode == 0, result.stderr
    original_keys = s3_keys(s3_media)
    s3_media.bucket = new_bucket
    assert s3_keys(s3_media) == original_keys
    _assert_restored(_probe(committee_member.username, **env), stored, counts, run)


# --- Refusals: nothing changes --------------------------------------------------------------


@pytest.fixture
def archive(media_root, tmp_path, programme, committee_member):
    _build_reports(programme, committee_member, kinds=[([4], PdfVariant.STANDARD)])
    path = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(path))
    return path


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the archive with `change(name, data)` applied to each member (None drops it)."""
    with tarfile.open(source) as original, tarfile.open(target, "w:gz") as copy:
        for member in original.getmembers():
            data = change(member.name, original.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
    return target


def _manifest_with(**changes):
    def change(name, data):
        if name != MANIFEST:
            return data
        return json.dumps({**json.loads(data), **changes}).encode()

    return change


BAD_ARCHIVES = {
    "not an archive": lambda archive, target: (
        target.write_bytes(b"%PDF-1.7 not a backup") and target
    ),
    "truncated": lambda archive, target: (
        target.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2]) and target
    ),
    "no manifest": lambda archive, target: _rewrite(
        archive, target, lambda name, data: None if name == MANIFEST else data
    ),
    "damaged database": lambda archive, target: _rewrite(
        archive, target, lambda name, data: data.replace(b"15160-19", b"15160-20")
        if name == "database.json" else data
    ),
    "missing media file": lambda archive, target: _rewrite(
        archive, target, lambda name, data: None if name.startswith("media/") else data
    ),
    "other format": lambda archive, target: _rewrite(
        archive, target, _manifest_with(format="something-else")
    ),
    "newer format version": lambda archive, target: _rewrite(
        archive, target, _manifest_with(version=99)
    ),
    "newer migrations": lambda archive, target: _rewrite(
        archive, target, _manifest_with(
            migrations=[*_manifest(archive)["migrations"], ["reports", "9999_from_the_future"]]
        )
    ),
    "older migrations": lambda archive, target: _rewrite(
        archive, target, _manifest_with(migrations=[
            key for key in _manifest(archive)["migrations"]
            if key != ["masterplan", "0005_programme_is_public"]
        ])
    ),
}  # fmt: skip

MESSAGES = {
    "not an archive": "is not a Sachstand backup",
    "truncated": "damaged",
    "no manifest": "no manifest.json",
    "damaged database": "database.json is damaged",
    "missing media file": "does not match its manifest; missing: media/reports/",
    "other format": "not a Sachstand backup (unknown format)",
    "newer format version": "backup format version 99",
    "newer migrations": "newer version of Sachstand (unknown migrations: reports.9999",
    "older migrations": "older version of Sachstand (without the migrations"
    " masterplan.0005_programme_is_public); restore it with the version that made it",
}


@pytest.mark.parametrize("fault", list(BAD_ARCHIVES))
def test_restore_refuses_a_bad_archive_and_changes_nothing(archive, tmp_path, fault):
    bad = BAD_ARCHIVES[fault](archive, tmp_path / "bad.tar.gz")
    before = (_dumped_counts(), sorted(media_names()))

    with pytest.raises(CommandError, match="^archive: ") as refused:
        call_command("restore", str(bad))

    assert MESSAGES[fault] in str(refused.value)
    assert (_dumped_counts(), sorted(media_names())) == before


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(
    archive, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "other-media"
    before = _dumped_counts()

    with pytest.raises(CommandError, match="^database: .* is not empty") as refused:
        call_command("restore", str(archive))

    assert "createdb" in str(refused.value)
    assert _dumped_counts() == before
    assert list(media_names()) == []


def test_restore_refuses_a_storage_holding_other_files_of_the_same_names(archive):
    name = next(media_names())
    media_storage().delete(name)
    media_storage().save(name, io.BytesIO(b"%PDF-1.7 another installation's report"))

    with pytest.raises(CommandError, match=f"^media: the storage holds a different file {name}"):
        call_command("restore", str(archive))

    with media_storage().open(name, "rb") as handle:
        assert handle.read() == b"%PDF-1.7 another installation's report"


def test_a_refused_restore_leaves_the_empty_database_empty(archive, tmp_path, empty_database):
    bad = BAD_ARCHIVES["damaged database"](archive, tmp_path / "bad.tar.gz")
    restored_media = tmp_path / "restored-media"

    result = _manage(
        "restore", str(bad), DATABASE_URL=empty_database, MEDIA_ROOT=str(restored_media)
    )

    assert result.returncode == 1
    assert "archive: " in result.stderr and "database.json is damaged" in result.stderr
    assert _tables(empty_database) == []
    assert not restored_media.exists()


def test_backup_never_overwrites_and_names_the_missing_folder(media_root, tmp_path, programme):
    existing = tmp_path / "backup.tar.gz"
    existing.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="^--output: .* exists already"):
        call_command("backup", "--output", str(existing))
    assert existing.read_bytes() == b"yesterday's backup"
    with pytest.raises(CommandError, match="^--output: the folder .* does not exist"):
        call_command("backup", "--output", str(tmp_path / "nowhere" / "backup.tar.gz"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.tar.gz"]


def test_backup_leaves_out_partial_files_and_beats_schedule_and_warns_of_missing_files(
    archive, media_root, tmp_path, capsys
):
    report_name = next(media_names())
    (media_root / ".celerybeat-schedule").write_bytes(b"beat's own state")
    (media_root / "reports" / ".building-abc.pdf").write_bytes(b"%PDF half written")
    media_storage().delete(report_name)
    capsys.readouterr()

    call_command("backup", "--output", str(tmp_path / "second.tar.gz"))

    assert f"the database names {report_name}, which is not in the storage" in (
        capsys.readouterr().err
    )
    with tarfile.open(tmp_path / "second.tar.gz") as second:
        assert sorted(second.getnames()) == ["database.json", MANIFEST]
        manifest = json.loads(second.extractfile(MANIFEST).read())
    assert manifest["missing_files"] == [report_name]


def _manifest(path: Path) -> dict:
    with tarfile.open(path) as archive:
        return json.loads(archive.extractfile(MANIFEST).read())
