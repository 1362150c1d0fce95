"""Each user's language, remembered for texts read without a request (e-mails).

A request knows its reader's language (cookie, browser); an e-mail sent by a worker does not,
so the language a user chooses (on switching, and at sign-in) is stored with them.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import get_supported_language_variant

from .models import UserPreference


def supported_language(code: str | None) -> str | None:
    """The configured language for `code` ("en-gb" → "en"), or None if there is none."""
    if not code:
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


def user_language_remember(*, user, language: str) -> None:
    """Store the language the user chose; unknown codes are ignored."""
    language = supported_language(language)
    if language is None or not getattr(user, "pk", None):
        return
    with transaction.atomic():
        UserPreference.objects.update_or_create(user=user, defaults={"language": language})


def user_language(user) -> str:
    """The language to write to the user in: the one they chose, else the site's default."""
    preference = UserPreference.objects.filter(user_id=getattr(user, "pk", None)).first()
    return (preference and supported_language(preference.language)) or settings.LANGUAGE_CODE
