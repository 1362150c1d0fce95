"""ETags and conditional GET for every read of the API.

The ETag is a hash of the response body: whatever changed (an approval, an import, a published
report), the body and so the tag change with it, and no rule can forget a dependency. A caller
that sends `If-None-Match` with the tag it has gets 304 without the body.
"""

import hashlib

from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import quote_etag

# What else makes the same URL answer differently.
VARY = ("Authorization", "Cookie", "Accept", "Accept-Language")


class ConditionalGetMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, VARY)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if getattr(response, "streaming", False):
            return response
        response.render()
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:40])
        response["ETag"] = etag
        if request.user.is_authenticated:
            response["Cache-Control"] = "private, no-cache"
        else:
            response["Cache-Control"] = "public, no-cache"
        return get_conditional_response(request, etag=etag, response=response)
