"""Backup and restore: the database and the media files together, in one archive.

The archive is a gzipped tar file:

- `database.json`: every row (Django's `dumpdata`, natural keys for content types and
  permissions, which `migrate` makes anew), read in one transaction (REPEATABLE READ on
  PostgreSQL, so the rows fit together while people keep working);
- `media/<name>`: every media file (report PDFs, uploaded import files), read through the
  storage API from the local disk or the bucket, whichever `STORAGES["default"]` is. Listed
  after the database was read: every file a row names was written before that row (a report
  is marked done after its file is stored), so it is in the archive;
- `manifest.json`, last: format, version, when, the applied migrations, row counts, and size
  and SHA-256 of every other member.

A restore goes into an EMPTY database (no tables at all) and a storage without conflicting
files, with the version of Sachstand that made the archive (the same migrations: rows are
loaded with today's models). It checks everything first (archive readable and complete,
checksums, migrations, target empty, no conflicting file) and refuses before changing
anything. Then it writes the media files, migrates the empty database and loads the rows. The
database and storage may be of another kind than the backup's (SQLite → PostgreSQL, disk →
bucket). An older archive: restore it with its version, then upgrade as usual (`migrate`).
"""

import contextlib
import gzip
import hashlib
import io
import json
import logging
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files import File
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import FileField
from django.utils import timezone

from .media import media_names, media_storage

logger = logging.getLogger(__name__)

FORMAT = "sachstand-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.json"
MEDIA = "media/"
# Made anew by `migrate` (content types, permissions) or not worth keeping (sessions).
NOT_DUMPED = ["contenttypes", "auth.permission", "sessions"]
CHUNK = 1024 * 1024


class BackupRefused(Exception):
    """Bad input, refused before anything changed. `field` names what is at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class BackupSummary:
    path: Path
    rows: int
    media_files: int
    media_bytes: int
    missing_files: list[str] = field(default_factory=list)


class _Hashing(io.RawIOBase):
    """A reader passing bytes through while counting and hashing them."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size=-1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(archive: tarfile.TarFile, name: str, handle, size: int) -> dict:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(timezone.now().timestamp())
    reader = _Hashing(handle)
    archive.addfile(info, reader)
    return {"size": reader.size, "sha256": reader.sha256.hexdigest()}


def _referenced_files() -> set[str]:
    """Every media file name a row points to (each FileField of each model)."""
    names = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, FileField):
                stored = model.objects.exclude(**{model_field.name: ""})
                names.update(stored.values_list(model_field.name, flat=True))
    return names


@contextlib.contextmanager
def _one_state_of_the_database() -> Iterator[None]:
    """One transaction that sees one state of the database throughout: REPEATABLE READ on
    PostgreSQL (writers go on meanwhile); SQLite's transaction holds its lock, so writers wait."""
    repeatable = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if repeatable:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def backup_write(*, output: Path) -> BackupSummary:
    """Write the database and the media files into a new archive at `output`."""
    output = Path(output)
    if output.exists():
        raise BackupRefused("--output", f"{output} exists already; a backup never overwrites.")
    if not output.parent.is_dir():
        raise BackupRefused("--output", f"the folder {output.parent} does not exist.")
    partial = output.with_name(f".{output.name}.partial")
    storage = media_storage()
    try:
        with (
            tempfile.TemporaryDirectory() as work,
            tarfile.open(partial, "w:gz", compresslevel=6) as archive,
        ):
            dump = Path(work) / DATABASE
            with _one_state_of_the_database():
                migrations = sorted(MigrationRecorder(connection).applied_migrations())
                counts = {
                    model._meta.label_lower: model._default_manager.count()
                    for model in apps.get_models()
                    if model._meta.app_label not in NOT_DUMPED
                    and model._meta.label_lower not in NOT_DUMPED
                    and not model._meta.proxy
                    and model._meta.managed
                }
                referenced = _referenced_files()
                call_command(
                    "dumpdata",
                    *(f"--exclude={label}" for label in NOT_DUMPED),
                    natural_foreign=True,
                    output=str(dump),
                    verbosity=0,
                )
            with open(dump, "rb") as handle:
                database = _add(archive, DATABASE, handle, dump.stat().st_size)
            media = []
            for name in media_names(storage):
                size = storage.size(name)
                with storage.open(name, "rb") as handle:
                    media.append({"name": name, **_add(archive, MEDIA + name, handle, size)})
            stored = {entry["name"] for entry in media}
            missing = sorted(referenced - stored)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor,
                "migrations": [list(key) for key in migrations],
                "counts": counts,
                "database": database,
                "media": media,
                "missing_files": missing,
            }
            content = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            _add(archive, MANIFEST, io.BytesIO(content), len(content))
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for name in missing:
        logger.warning("Backup: the database names %s, which is not in the storage", name)
    return BackupSummary(
        path=output,
        rows=sum(counts.values()),
        media_files=len(media),
        media_bytes=sum(entry["size"] for entry in media),
        missing_files=missing,
    )


# --- Restore -----------------------------------------------------------------------------


@dataclass
class RestoreSummary:
    rows: int
    media_files: int
    media_kept: int
    counts: dict


def _refuse_archive(message: str) -> BackupRefused:
    return BackupRefused("archive", message)


def _member_name_is_safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and str(path) == name


def _read_manifest(archive: tarfile.TarFile, members: dict) -> dict:
    if MANIFEST not in members:
        raise _refuse_archive(f"no {MANIFEST}: this is not a Sachstand backup.")
    try:
        manifest = json.loads(archive.extractfile(members[MANIFEST]).read())
    except (ValueError, AttributeError):
        raise _refuse_archive(f"{MANIFEST} is not readable JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse_archive("this is not a Sachstand backup (unknown format).")
    if manifest.get("version") != VERSION:
        raise _refuse_archive(
            f"backup format version {manifest.get('version')!r}; this code reads {VERSION}."
        )
    return manifest


def _expected_members(manifest: dict) -> dict[str, dict]:
    try:
        expected = {DATABASE: manifest["database"]}
        for entry in manifest["media"]:
            expected[MEDIA + entry["name"]] = entry
        for entry in expected.values():
            int(entry["size"]), str(entry["sha256"])
    except (KeyError, TypeError, ValueError):
        raise _refuse_archive(f"{MANIFEST} is incomplete.") from None
    return expected


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _check_archive(archive: tarfile.TarFile) -> tuple[dict, dict]:
    members = {}
    for member in archive.getmembers():
        if not member.isfile() or not _member_name_is_safe(member.name):
            raise _refuse_archive(f"unexpected entry {member.name!r}: not a Sachstand backup.")
        members[member.name] = member
    manifest = _read_manifest(archive, members)
    expected = _expected_members(manifest)
    unexpected = sorted(set(members) - set(expected) - {MANIFEST})
    absent = sorted(set(expected) - set(members))
    if unexpected or absent:
        raise _refuse_archive(
            "the archive does not match its manifest"
            + (f"; missing: {', '.join(absent[:5])}" if absent else "")
            + (f"; not listed: {', '.join(unexpected[:5])}" if unexpected else "")
            + "."
        )
    for name, entry in expected.items():
        member = members[name]
        if member.size != entry["size"] or _sha256(archive.extractfile(member)) != entry["sha256"]:
            raise _refuse_archive(f"{name} is damaged (size or checksum differ from the manifest).")
    return manifest, members


def _check_migrations(manifest: dict) -> None:
    """The archive's database must have exactly this code's migrations: Django loads rows
    with today's models, which fit only the schema they were dumped from."""
    try:
        recorded = {(str(app), str(name)) for app, name in manifest["migrations"]}
    except (KeyError, TypeError, ValueError):
        raise _refuse_archive(f"{MANIFEST} is incomplete (migrations).") from None
    known = set(MigrationExecutor(connection).loader.graph.nodes)

    def listed(keys):
        return ", ".join(f"{app}.{name}" for app, name in sorted(keys)[:5])

    if recorded - known:
        raise _refuse_archive(
            "made by a newer version of Sachstand (unknown migrations: "
            f"{listed(recorded - known)}); restore it with that version."
        )
    if known - recorded:
        raise _refuse_archive(
            "made by an older version of Sachstand (without the migrations "
            f"{listed(known - recorded)}); restore it with the version that made it, then"
            " install this version and run migrate."
        )


def _check_database_empty() -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupRefused(
            "database",
            f"the target database {connection.settings_dict['NAME']} is not empty "
            f"({len(tables)} tables, e.g. {', '.join(sorted(tables)[:3])}). A restore only goes"
            " into an empty database: create a new one (PostgreSQL: createdb) and point"
            " DATABASE_URL at it.",
        )


def _media_to_write(manifest: dict) -> list[dict]:
    """The media files not yet in the storage; refuses if one is there with other content."""
    storage = media_storage()
    to_write = []
    for entry in manifest["media"]:
        name = entry["name"]
        if not storage.exists(name):
            to_write.append(entry)
            continue
        with storage.open(name, "rb") as handle:
            if _sha256(handle) != entry["sha256"]:
                raise BackupRefused(
                    "media",
                    f"the storage holds a different file {name}; restore into an empty"
                    " media folder or bucket.",
                )
    return to_write


# What reading a damaged or truncated (gzipped) tar file raises.
DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def _open_archive(path: Path) -> tarfile.TarFile:
    path = Path(path)
    if not path.is_file():
        raise _refuse_archive(f"{path} is not a file.")
    try:
        return tarfile.open(path, "r:*")
    except DAMAGED as error:
        raise _refuse_archive(f"{path} is not a Sachstand backup ({error}).") from None


def restore_is_atomic() -> bool:
    """PostgreSQL changes its schema in transactions; SQLite's schema editor cannot run in one."""
    return connection.vendor == "postgresql"


def restore(*, archive_path: Path) -> RestoreSummary:
    """Restore an archive of `backup_write` into the empty database and the media storage."""
    with _open_archive(archive_path) as archive:
        try:
            manifest, members = _check_archive(archive)
        except DAMAGED as error:
            raise _refuse_archive(f"{archive_path} is damaged ({error}).") from None
        _check_migrations(manifest)
        to_write = _media_to_write(manifest)
        _check_database_empty()

        storage = media_storage()
        for entry in to_write:
            name = entry["name"]
            content = File(archive.extractfile(members[MEDIA + name]))
            content.size = entry["size"]  # not guessed from a local file of the member's name
            stored = storage.save(name, content)
            if stored != name:
                raise RuntimeError(f"the storage stored {name} as {stored}")

        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / DATABASE
            with open(dump, "wb") as target:
                source = archive.extractfile(members[DATABASE])
                for chunk in iter(lambda: source.read(CHUNK), b""):
                    target.write(chunk)
            # PostgreSQL rolls the whole restore back if a step fails; SQLite cannot roll back
            # schema changes, so a failure there leaves a database to drop (the command says so).
            with transaction.atomic() if restore_is_atomic() else contextlib.nullcontext():
                call_command("migrate", interactive=False, verbosity=0)
                call_command("loaddata", str(dump), verbosity=0)
    counts = manifest.get("counts", {})
    return RestoreSummary(
        rows=sum(counts.values()),
        media_files=len(to_write),
        media_kept=len(manifest["media"]) - len(to_write),
        counts=counts,
    )
