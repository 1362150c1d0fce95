"""A URLconf with one embeddable page, for tests of masterplan.security."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from masterplan.security import embeddable


@login_not_required
@embeddable
def embed(request):
    return HttpResponse("<p>embedded</p>")


urlpatterns = [path("embed/", embed)]
