"""Media files (report PDFs, uploaded import files) in whichever storage holds them.

`STORAGES["default"]` is this host's MEDIA_ROOT or an S3-compatible bucket shared by every web
and worker host (settings: MEDIA_S3_BUCKET). Code reads and writes media only through the
storage API (`FieldFile.open`, `storage.save`), never through `.path` or local file functions,
so both work the same. Nothing links to a storage URL: a file reaches a reader only as the
answer of a view that checked who asks (`media_response`).
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# Files whose name starts with this are being written (FileSystemStorage only) and never
# listed, backed up or served.
PARTIAL_PREFIX = ".building-"


def media_storage() -> Storage:
    return storages["default"]


def media_write_atomically(*, name: str, content: bytes) -> str:
    """Store `content` as `name` so that no reader ever sees a partial file; returns the name.

    On a local disk: a temporary file beside the target, fsynced, then renamed over it. An
    object store's PUT is atomic by itself; it replaces an earlier object of the same name
    (a rebuilt report), as the rename does.
    """
    if not isinstance(content, bytes):
        raise TypeError(f"media content must be bytes, not {type(content).__name__}")
    storage = media_storage()
    if not isinstance(storage, FileSystemStorage):
        # A storage that keeps existing objects picks a free name: the caller stores it.
        return storage.save(name, ContentFile(content))
    target = Path(storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=PARTIAL_PREFIX, suffix=target.suffix
    )
    try:
        os.chmod(temporary, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name


def media_names(storage: Storage | None = None, folder: str = "") -> Iterator[str]:
    """Every stored file's name, folder by folder. Left out: files being written, and hidden
    files at the top (not media: e.g. beat's schedule, which the compose file keeps there)."""
    storage = storage or media_storage()
    if not folder and isinstance(storage, FileSystemStorage) and not storage.exists(""):
        return  # nothing stored yet: MEDIA_ROOT is made by the first write
    folders, files = storage.listdir(folder)
    for file_name in sorted(files):
        if file_name.startswith(PARTIAL_PREFIX) or (not folder and file_name.startswith(".")):
            continue
        yield f"{folder}/{file_name}" if folder else file_name
    for sub in sorted(folders):
        yield from media_names(storage, f"{folder}/{sub}" if folder else sub)


def media_response(
    file: FieldFile, *, filename: str, content_type: str, missing: str, as_attachment=True
) -> FileResponse:
    """The file as a download (or, `as_attachment=False`, to be shown inline), streamed
    through this process from whichever storage holds it (an object store's file is spooled
    to a temporary file first, to disk above MEDIA_S3_MAX_MEMORY_SIZE). No file, or none in
    the storage: 404 with `missing`."""
    if not file:
        raise Http404(missing)
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404(missing) from None
    return FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
