"""Caching of what the public reads: one rule for the public site (and, later, the read API).

Everything public hangs on one number, `masterplan.models.PublicDataVersion`, which every write
of public data bumps (`masterplan.services.public_data_changed`: approvals, reports published
or withdrawn, measures of a public programme edited or imported, a programme switched public or
private). From it follow

- the ETag of a response (`public_etag`): version, language and URL; a client that sends it
  back (If-None-Match) or the time of the last change (If-Modified-Since) gets a 304;
- `public_conditional(request)`: the version, the ETag and a ready 304 (or None), for any
  public answer (the read API can use it as the pages do);
- the key of the rendered page in Django's cache (`public_cache_key`): a bump makes every
  stored page unreachable at once, in every process, without deleting anything; entries also
  expire after `PUBLIC_CACHE_SECONDS`, a bound for what a bump could miss (a deleted measure
  in the admin).

Reading the version is one query by primary key, so a cached page costs one query.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.utils.translation import get_language

from masterplan.models import PublicDataVersion
from masterplan.services import PUBLIC_VERSION_ROW

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PublicVersion:
    number: int
    changed_at: datetime

    @property
    def timestamp(self) -> int:
        """Last-Modified in whole seconds (HTTP dates have no fractions)."""
        return int(self.changed_at.timestamp())


def public_version() -> PublicVersion:
    """The current version: one SELECT by primary key, in plain SQL because building the ORM
    query cost as much as the rest of serving a cached page."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [PUBLIC_VERSION_ROW])
        number, changed_at = cursor.fetchone() or (0, None)
    if isinstance(changed_at, str):  # SQLite without the column's converter
        changed_at = parse_datetime(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):  # SQLite stores UTC
        changed_at = timezone.make_aware(changed_at, UTC)
    return PublicVersion(number=number, changed_at=changed_at or EPOCH)


_VERSION_SQL = "SELECT {number}, {changed_at} FROM {table} WHERE {pk} = %s".format(
    number=connection.ops.quote_name("number"),
    changed_at=connection.ops.quote_name("changed_at"),
    table=connection.ops.quote_name(PublicDataVersion._meta.db_table),
    pk=connection.ops.quote_name(PublicDataVersion._meta.pk.column),
)


def _url_digest(request: HttpRequest) -> str:
    return hashlib.sha256(request.get_full_path().encode()).hexdigest()[:16]


def public_etag(request: HttpRequest, version: PublicVersion) -> str:
    """The ETag of a public response: changes with the data, the language and the URL."""
    return f'"{version.number}-{get_language()}-{_url_digest(request)}"'


def public_cache_key(request: HttpRequest, version: PublicVersion) -> str:
    return f"public:{version.number}:{get_language()}:{_url_digest(request)}"


def public_conditional(request: HttpRequest):
    """(version, ETag, a 304 response or None) for a public GET: what any public answer (a
    page here, an API response later) needs before it does any work."""
    version = public_version()
    etag = public_etag(request, version)
    not_modified = get_conditional_response(request, etag=etag, last_modified=version.timestamp)
    if not_modified is not None:
        not_modified = with_public_validators(not_modified, etag=etag, version=version)
    return version, etag, not_modified


def with_public_validators(response: HttpResponse, *, etag: str, version: PublicVersion):
    """ETag, Last-Modified, Cache-Control and Vary of every public answer."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(version.timestamp)
    # Browsers and proxies ask again each time (cheap: 304); the language comes from the
    # Accept-Language header or the language cookie.
    response["Cache-Control"] = "public, no-cache"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def public_cached(view):
    """Serve a public GET from the cache and answer conditional requests with 304.

    Only successful answers are stored; headers a view sets beyond the content type (the
    embed page's frame policy) are added by wrappers outside this one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        version, etag, not_modified = public_conditional(request)
        if not_modified is not None:
            return not_modified
        key = public_cache_key(request, version)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            cache.set(
                key,
                (response.content, response["Content-Type"]),
                settings.PUBLIC_CACHE_SECONDS,
            )
        return with_public_validators(response, etag=etag, version=version)

    return wrapper
