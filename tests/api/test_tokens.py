"""Personal API tokens: created and revoked on Mein Konto, shown once, stored as a hash."""

import hashlib

import pytest
from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_authenticate, api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_as_its_hash_only(editor_group_1):
    created = api_token_create(user=editor_group_1, name="Controlling")
    token = ApiToken.objects.get()
    assert created.secret.startswith("sst_") and len(created.secret) > 40
    assert token.key_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert token.prefix == created.secret[:8]
    stored = " ".join(str(value) for value in ApiToken.objects.values().get().values())
    assert created.secret not in stored
    assert created.secret[8:] not in stored


def test_the_profile_page_shows_a_new_token_once(client, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(reverse("profile"), {"name": "Auswertung"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=editor_group_1)
    secret = response.context["created"].secret
    assert secret.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    again = client.get(reverse("profile"))
    assert secret.encode() not in again.content
    assert b"Auswertung" in again.content and token.prefix.encode() in again.content


def test_a_token_without_name_is_refused_and_nothing_is_created(client, editor_group_1):
    client.force_login(editor_group_1)
    response = client.post(reverse("profile"), {"name": "   "})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_two_active_tokens_may_not_share_a_name(client, editor_group_1):
    api_token_create(user=editor_group_1, name="Auswertung")
    client.force_login(editor_group_1)
    response = client.post(reverse("profile"), {"name": "Auswertung"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_a_token_authenticates_with_bearer_or_token(client, world, committee_member, keyword):
    secret = api_token_create(user=committee_member, name="x").secret
    response = client.get("/api/v1/programmes/", HTTP_AUTHORIZATION=f"{keyword} {secret}")
    assert response.status_code == 200
    # Staff read non-public programmes too: the token counted.
    assert response.json()["count"] == 2


def test_using_a_token_notes_when_it_was_last_used(client, world, committee_member):
    created = api_token_create(user=committee_member, name="x")
    assert created.token.last_used_at is None
    client.get("/api/v1/programmes/", HTTP_AUTHORIZATION=f"Bearer {created.secret}")
    created.token.refresh_from_db()
    assert created.token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer sst_wrong", "Bearer not-even-ours", "Token", "Bearer a b"],
)
def test_a_wrong_token_is_refused_with_401(client, world, header):
    response = client.get("/api/v1/programmes/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_no_longer_authenticates(client, world, committee_member):
    created = api_token_create(user=committee_member, name="x")
    header = {"HTTP_AUTHORIZATION": f"Bearer {created.secret}"}
    assert client.get("/api/v1/programmes/", **header).status_code == 200
    api_token_revoke(token=created.token, by=committee_member)
    assert client.get("/api/v1/programmes/", **header).status_code == 401
    assert api_token_authenticate(created.secret) is None


def test_the_token_of_a_deactivated_person_no_longer_authenticates(client, world, editor_group_1):
    secret = api_token_create(user=editor_group_1, name="x").secret
    editor_group_1.is_active = False
    editor_group_1.save()
    response = client.get("/api/v1/programmes/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_revoking_on_the_profile_page(client, editor_group_1):
    created = api_token_create(user=editor_group_1, name="Alt")
    client.force_login(editor_group_1)
    response = client.post(reverse("api_token_revoke", args=[created.token.pk]))
    assert response.status_code == 302
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None
    assert list(client.get(reverse("profile")).context["tokens"]) == []


def test_nobody_revokes_another_persons_token(client, editor_group_1, editor_group_2):
    created = api_token_create(user=editor_group_1, name="Meiner")
    client.force_login(editor_group_2)
    response = client.post(reverse("api_token_revoke", args=[created.token.pk]))
    assert response.status_code == 404
    created.token.refresh_from_db()
    assert created.token.revoked_at is None
