"""Account views of the programme layer: they remember the language a user chooses."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.utils.translation import get_language
from django.views.i18n import set_language as django_set_language

from .directory_config import DIRECTORY_BACKEND
from .languages import user_language_remember


@login_not_required
def set_language(request):
    """Django's language switch (cookie); a signed-in user's choice is also remembered."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_language_remember(user=request.user, language=request.POST.get("language"))
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in; the language the visitor reads the site in is remembered."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["directory_signin"] = DIRECTORY_BACKEND in settings.AUTHENTICATION_BACKENDS
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or get_language()
        user_language_remember(user=form.get_user(), language=chosen)
        return response
