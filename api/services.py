"""Creating, revoking and checking personal API tokens.

A token is shown once, when it is created; only its SHA-256 is stored. The token carries a
recognisable prefix ("sst_") so that secret scanners and people can tell what it is.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken

TOKEN_PREFIX = "sst_"
PREFIX_SHOWN = 8  # characters of the token kept to tell tokens apart in the list
# "Last used" is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # the whole token: show it once, it is never stored


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str) -> CreatedToken:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Bitte geben Sie eine Bezeichnung ein.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name, prefix=secret[:PREFIX_SHOWN], key_hash=token_hash(secret)
    )
    token.full_clean()
    token.save()
    return CreatedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token of one's own; a revoked token never authenticates again."""
    if token.user_id != by.pk:
        raise ValidationError(_("Sie können nur Ihre eigenen Schlüssel widerrufen."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret (and its user, if active), noting when it was used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=token_hash(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
