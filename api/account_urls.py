from django.urls import path

from . import account_views

# Under /konto/profil/, beside Django's account pages; names without a namespace, as "login".
urlpatterns = [
    path("", account_views.profile, name="profile"),
    path(
        "schluessel/<int:pk>/widerrufen/",
        account_views.token_revoke,
        name="api_token_revoke",
    ),
]
