"""The language a user chooses is remembered with them, for what they read without a request."""

import pytest
from django.conf import settings
from django.urls import reverse

from masterplan.languages import user_language
from masterplan.models import UserPreference


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def test_switching_the_language_remembers_it_for_a_signed_in_user(client, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert user_language(editor_group_1) == "en"

    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert user_language(editor_group_1) == "de"
    assert UserPreference.objects.count() == 1


def test_an_anonymous_switch_remembers_nothing_and_still_sets_the_cookie(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/konto/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert not UserPreference.objects.exists()


def test_an_unknown_language_is_not_remembered(client, editor_group_1):
    client.force_login(editor_group_1)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert user_language(editor_group_1) == settings.LANGUAGE_CODE
    assert not UserPreference.objects.exists()


def test_signing_in_remembers_the_language_chosen_on_the_login_page(client, editor_group_1):
    client.post(reverse("set_language"), {"language": "en", "next": "/konto/login/"})
    response = client.post(reverse("login"), {"username": "erika", "password": "pw"})
    assert response.status_code == 302
    assert user_language(editor_group_1) == "en"


def test_signing_in_without_a_choice_remembers_the_language_the_site_was_read_in(
    client, editor_group_1
):
    client.post(reverse("login"), {"username": "erika", "password": "pw"})
    assert user_language(editor_group_1) == "de"


def test_a_failed_sign_in_remembers_nothing(client, editor_group_1):
    client.post(reverse("login"), {"username": "erika", "password": "wrong"})
    assert not UserPreference.objects.exists()
