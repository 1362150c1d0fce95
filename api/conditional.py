"""ETags and conditional GET for every read of the API.

The ETag is a hash of the response body (`masterplan.http.content_conditional`): whatever
changed (an approval, an import, a published report), the body and so the tag change with it,
and no rule can forget a dependency.
"""

from django.utils.cache import patch_vary_headers

from masterplan.http import content_conditional

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
        if request.user.is_authenticated:
            response["Cache-Control"] = "private, no-cache"
        else:
            response["Cache-Control"] = "public, no-cache"
        return content_conditional(request, response)
