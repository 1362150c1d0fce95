"""Nothing internal reaches the public: a crawl of every public page and file finds none of the
texts planted in internal fields (Entscheidungsbedarf, internal Ampel reasons, submitted,
draft and returned updates, comments of the approval trail, names and e-mail addresses of
editors and leads, KPI notes, older Sachstände), and does find the approved public texts."""

import io
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pypdf
import pytest
from django.urls import reverse

from measures.models import Measure

from .conftest import PUBLIC, SECRET

pytestmark = pytest.mark.django_db

MAX_PAGES = 400
MAX_OPTIONS = 12  # per select of the filter form


class Links(HTMLParser):
    """The links of a page and, of its GET forms, one URL per option of each select."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.form_action: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and attrs.get("method", "get").lower() == "get":
            self.form_action = attrs.get("action") or ""
        elif tag == "select" and self.form_action is not None:
            self.select = attrs.get("name")
            self.options = 0
        elif tag == "option" and self.select and self.options < MAX_OPTIONS:
            self.options += 1
            self.links.append(f"{self.form_action}?{self.select}={attrs.get('value', '')}")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.form_action = None


def _crawl(client, start_urls: list[str]) -> dict[str, bytes]:
    """Every /oeffentlich/ URL reachable from the start URLs: {url: body}."""
    seen: dict[str, bytes] = {}
    queue = list(start_urls)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code < 500, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[url] = body
        if not response["Content-Type"].startswith("text/html"):
            continue
        parser = Links()
        parser.feed(body.decode())
        for link in parser.links:
            absolute = urljoin(url, link)
            parts = urlsplit(absolute)
            if parts.netloc not in ("", "testserver") or not parts.path.startswith("/oeffentlich/"):
                assert parts.scheme in ("mailto", "http", "https"), f"{url} links to {link}"
                assert not parts.path.startswith(("/massnahmen", "/admin", "/berichte")), link
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    return seen


def _text(url: str, body: bytes) -> str:
    if body.startswith(b"%PDF"):
        reader = pypdf.PdfReader(io.BytesIO(body))
        return " ".join(page.extract_text() for page in reader.pages)
    return body.decode()


def test_no_internal_text_on_any_public_page_or_file(client, planted, public_programme):
    embeds = [
        reverse("public:embed", args=[public_programme.pk, number])
        for number in Measure.objects.filter(programme=public_programme).values_list(
            "number", flat=True
        )
    ]
    pages = _crawl(client, [reverse("public:index"), *embeds])

    texts = {url: _text(url, body) for url, body in pages.items()}
    pdfs = [url for url, body in pages.items() if body.startswith(b"%PDF")]
    assert len(pdfs) == 1, "the published report is linked and downloaded"
    measure_pages = [url for url in texts if "/massnahmen/1.1/" in url]
    assert len(measure_pages) >= 2, "the crawl reached the measure page and its embed"
    for name, secret in SECRET.items():
        for url, text in texts.items():
            assert secret.lower() not in text.lower(), f"{name} on {url}"
    everything = " ".join(texts.values())
    for name, text in PUBLIC.items():
        assert text in everything, f"public {name} is shown"
    assert len(pages) > 40


def test_the_published_pdf_has_the_public_status_but_no_internal_field(client, planted):
    report = planted["report"]
    url = reverse("public:report_file", args=[report.programme_id, report.pk])
    response = client.get(url)
    text = _text(url, b"".join(response.streaming_content))
    assert PUBLIC["achieved"] in text.replace("\n", "")
    for secret in (SECRET["decision_needed"], SECRET["internal_reason"]):
        assert secret not in text
