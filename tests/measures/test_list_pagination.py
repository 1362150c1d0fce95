"""The measure list's page links keep the filters and sorting: Django's {% querystring %}."""

import html
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def ten_per_page(monkeypatch):
    monkeypatch.setattr("measures.views.PAGE_SIZE", 10)


def page_links(body: str) -> dict[str, str]:
    """Link text -> href of the pagination links (the seed's 25 measures make three pages)."""
    nav = re.search(r'<nav class="pagination".*?</nav>', body, re.S).group(0)
    links = re.findall(r'<a href="([^"]*)" hx-get="\1"[^>]*>([^<]+)</a>', nav)
    return {text: html.unescape(href) for href, text in links}


def test_page_links_keep_the_query_and_change_only_the_page(
    client, programme, committee_member, ten_per_page
):
    client.force_login(committee_member)
    url = reverse("measures:list")

    first = page_links(client.get(url, {"sort": "-title"}).content.decode())
    assert first == {"Nächste Seite": "?sort=-title&page=2"}

    middle = page_links(client.get(url, {"sort": "-title", "page": 2}).content.decode())
    assert middle == {
        "Vorherige Seite": "?sort=-title&page=1",
        "Nächste Seite": "?sort=-title&page=3",
    }
