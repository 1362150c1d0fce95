"""Security headers: the exceptions to the Content-Security-Policy, and Permissions-Policy.

The policy itself is `CONTENT_SECURITY_POLICY` in the settings (django-csp's middleware sends
it): everything from this origin only, no inline scripts, styles or event handlers, no eval,
and `frame-ancestors 'none'` (nobody may frame a page). A view that needs something else says
so with a function of this module, so every exception can be found here:

- `frame_ancestors_allow(response, origins)`: let the given origins frame this response;
  `embeddable` is the same as a view decorator, with the origins of `PUBLIC_EMBED_ORIGINS`.
- `data_images_allowed`: images from `data:` URLs, for the vendored Swagger UI (API docs),
  whose stylesheet draws its icons that way.

Referrer-Policy and Cross-Origin-Opener-Policy come from Django's SecurityMiddleware
(`SECURE_REFERRER_POLICY`, `SECURE_CROSS_ORIGIN_OPENER_POLICY`); Permissions-Policy, which
Django does not send, from `PermissionsPolicyMiddleware` below.
"""

import re
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

# scheme://host[:port], nothing else: no paths, wildcards or CSP keywords ('self', 'none').
ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$", re.IGNORECASE)


def origins_parse(value: str, *, name: str = "PUBLIC_EMBED_ORIGINS") -> list[str]:
    """Space-separated origins ("https://www.dortmund.de https://intranet.example") as a list.

    Refuses anything that is not an origin, naming the setting: a stray keyword or a `;` in a
    header directive would weaken or break the whole policy.
    """
    origins = value.split()
    for origin in origins:
        if not ORIGIN.match(origin):
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin (scheme://host[:port], separated by spaces)."
            )
    return origins


def frame_ancestors_allow(response: HttpResponseBase, origins: Iterable[str]) -> HttpResponseBase:
    """Let `origins` (and only them) show this response in a frame.

    Sets the response's CSP `frame-ancestors` to the origins and drops X-Frame-Options for it
    (that header can only say DENY or SAMEORIGIN; browsers that know frame-ancestors ignore it
    anyway). Without origins the response stays unframeable ('none').
    """
    origins = list(origins)
    if not origins:
        return response
    replace = dict(getattr(response, "_csp_replace", None) or {})
    replace["frame-ancestors"] = origins
    # django-csp's per-response override (what its @csp_replace decorator sets).
    response._csp_replace = replace
    response.xframe_options_exempt = True
    return response


def embeddable(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """View decorator: the pages of `view` may be framed by the `PUBLIC_EMBED_ORIGINS`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        return frame_ancestors_allow(response, settings.PUBLIC_EMBED_ORIGINS)

    return wrapped


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} → 'camera=(), fullscreen=(self)'."""
    return ", ".join(f"{feature}=({' '.join(allowlist)})" for feature, allowlist in policy.items())


class PermissionsPolicyMiddleware:
    """Sends `PERMISSIONS_POLICY` (browser features nobody's page needs are switched off)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def data_images_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """View decorator: the page may show images from `data:` URLs (scripts stay restricted)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        update = dict(getattr(response, "_csp_update", None) or {})
        update["img-src"] = [*update.get("img-src", []), "data:"]
        # django-csp's per-response addition (what its @csp_update decorator sets).
        response._csp_update = update
        return response

    return wrapped
