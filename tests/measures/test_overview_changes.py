"""The overview loads the reports app's "since the last report" part, and links to it without JS."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


CHANGES_PATH = "/berichte/seit-letztem-bericht/"


def test_overview_loads_the_changes_since_the_last_report(client, programme, committee_member):
    client.force_login(committee_member)
    body = client.get(reverse("home")).content.decode()

    section = body[body.index('id="h-changes"') :]
    assert "Seit dem letzten Bericht" in body
    assert re.search(rf'hx-get="{CHANGES_PATH}"\s+hx-trigger="load"', section)
    assert f'<a href="{CHANGES_PATH}">' in section  # for readers without JavaScript
