"""`Authorization: Bearer <token>` (or `Token <token>`) with a personal API token."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .services import api_token_authenticate

KEYWORDS = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in KEYWORDS:
            return None  # no token: another scheme, or an anonymous caller
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Ungültiger Authorization-Header: erwartet „Bearer <Schlüssel>“.")
            )
        try:
            secret = parts[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Ungültiger Schlüssel.")) from error
        token = api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Ungültiger oder widerrufener Schlüssel."))
        return (token.user, token)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
