"""Conditional GET by content, for answers without a cheaper validator (the read API, OParl
and the open data): the ETag is a hash of the body, so whatever changed, the tag changes with
it, and a caller that sends `If-None-Match` with the tag it has gets 304 without the body."""

import hashlib

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag


def content_conditional(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """The rendered `response` with its content's ETag, or 304 if the caller has that one."""
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:40])
    response["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response)
