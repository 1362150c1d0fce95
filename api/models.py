"""Personal API tokens: a staff member's key to the read API, stored as a hash only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("Person"),
    )
    name = models.CharField(
        _("Bezeichnung"),
        max_length=100,
        help_text=_("Wofür der Schlüssel ist, zum Beispiel „Auswertung Controlling“."),
    )
    # The first characters of the token, to recognise it in the list; the rest is never stored.
    prefix = models.CharField(_("Beginn"), max_length=12, editable=False)
    # SHA-256 of the whole token: tokens are long random strings, so a fast hash is enough.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("Erstellt am"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("Zuletzt benutzt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Widerrufen am"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-Schlüssel")
        verbose_name_plural = _("API-Schlüssel")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_name_unique_per_user",
                violation_error_message=_("Sie haben schon einen Schlüssel mit diesem Namen."),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
