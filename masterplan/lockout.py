"""Throttling sign-in: django-axes, with Sachstand's two limits and its German lockout page.

django-axes (first in AUTHENTICATION_BACKENDS) counts failed sign-ins on every login form, the
staff login and /admin/login/ alike, whichever backend (directory or local) refused them, and
refuses any password while the account or the address is locked. Every attempt is logged: failures
in AccessFailureLog and AccessAttempt, sign-ins and sign-outs in AccessLog (admin: "Axes").
An admin unlocks by deleting the account's or address's entry under "Zugriffsversuche" in the
admin, or with `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render


def attempted_username(request, credentials=None) -> str | None:
    """The account a sign-in is for, as the lockout counts it: a directory does not tell `Erika`
    from `erika`, so neither may the count of her failures."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username.strip().lower() if username else username


def client_address(request) -> str | None:
    """The visitor's address. Behind LOGIN_PROXY_COUNT reverse proxies it is the entry that many
    places from the right of X-Forwarded-For (each proxy appends the address it was called
    from); entries further left are whatever the client claimed and are not trusted."""
    if settings.LOGIN_PROXY_COUNT > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= settings.LOGIN_PROXY_COUNT:
            return forwarded[-settings.LOGIN_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with one limit per account (LOGIN_FAILURE_LIMIT, axes'
    AXES_FAILURE_LIMIT) and another per address (LOGIN_FAILURE_LIMIT_PER_ADDRESS).

    axes compares one failure count with one limit; the count given here is the account's own,
    raised to the account limit once the address has reached its limit."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in forgives the failures counted against that account, not those
        of the address: otherwise anyone with an account could sign in between guesses at
        another account from the same address and never reach either limit."""
        by_account, _by_address = self.filter_user_attempts(request, credentials)
        count, _ = by_account.delete()
        return count

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            sum(attempts.values_list("failures_since_start", flat=True))
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return max(by_account, get_failure_limit(request, credentials))
        return by_account


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (HTTP 429), on the staff login and in the admin."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=429,
    )
