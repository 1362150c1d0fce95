"""Mein Konto: the signed-in person's account page with their personal API tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import ApiTokenForm
from .models import ApiToken
from .services import api_token_create, api_token_revoke


def _page(request, form, created=None, status=200):
    tokens = ApiToken.objects.active().filter(user=request.user)
    response = render(
        request,
        "api/profile.html",
        {"form": form, "tokens": tokens, "created": created},
        status=status,
    )
    add_never_cache_headers(response)  # the new token is shown once: never keep the page
    return response


def profile(request):
    if request.method != "POST":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            created = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)  # a dict names its field
        else:
            return _page(request, ApiTokenForm(), created=created)
    return _page(request, form, status=400)


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.active(), pk=pk, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Der Schlüssel „%(name)s“ ist widerrufen.") % {"name": token.name})
    return redirect("profile")
