"""Security headers on every response, the one exception to `frame-ancestors 'none'`, and the
documented production environment passing `manage.py check --deploy`."""

import os
import re
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from masterplan.security import origins_parse


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


BASE_DIR = Path(settings.BASE_DIR)
WEB_PORT = 18702


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().partition(" ")[::2] for part in header.split(";"))


@pytest.mark.parametrize(
    "url",
    ["/konto/login/", "/", "/massnahmen/", "/admin/login/", "/does-not-exist/"],
)
def test_every_response_carries_the_security_headers(client, db, url):
    response = client.get(url)

    policy = csp_directives(response)
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_signed_in_pages_carry_them_too(client, programme, editor_group_1):
    client.force_login(editor_group_1)

    response = client.get("/massnahmen/")

    assert response.status_code == 200
    assert csp_directives(response)["frame-ancestors"] == "'none'"


@pytest.mark.urls("tests.masterplan.embed_urls")
def test_an_embeddable_page_may_be_framed_by_the_configured_origins_only(client, settings):
    settings.PUBLIC_EMBED_ORIGINS = ["https://www.dortmund.de", "https://intranet.example"]

    response = client.get("/embed/")

    assert csp_directives(response)["frame-ancestors"] == (
        "https://www.dortmund.de https://intranet.example"
    )
    assert "X-Frame-Options" not in response
    # Everything else of the policy stays as strict as on every page.
    assert csp_directives(response)["script-src"] == "'self'"


@pytest.mark.urls("tests.masterplan.embed_urls")
def test_without_configured_origins_the_embeddable_page_is_not_frameable(client, settings):
    settings.PUBLIC_EMBED_ORIGINS = []

    response = client.get("/embed/")

    assert csp_directives(response)["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "value",
    ["'unsafe-inline'", "*", "https://a.example;script-src *", "https://a.example/path", "a.org"],
)
def test_embed_origins_other_than_origins_are_refused_naming_the_setting(value):
    with pytest.raises(ImproperlyConfigured, match="PUBLIC_EMBED_ORIGINS"):
        origins_parse(f"https://ok.example {value}")


def test_embed_origins_are_read_space_separated():
    assert origins_parse("  https://a.example  http://b.example:8080 ") == [
        "https://a.example",
        "http://b.example:8080",
    ]


def production_environment() -> dict[str, str]:
    """The documented production environment: .env.example, with a real secret key."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "SECURE_", "DEBUG"))
    }
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)  # .env.example says: change me
    env["DJANGO_SETTINGS_MODULE"] = "masterplan.settings"
    return env


def test_check_deploy_reports_nothing_with_the_documented_production_environment():
    env = production_environment()
    assert env["DEBUG"] == "false"

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_would_warn_without_hsts_and_https_redirect():
    env = {**production_environment(), "SECURE_HSTS_SECONDS": "0", "SECURE_SSL_REDIRECT": "false"}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert "security.W004" in result.stderr + result.stdout  # HSTS
    assert "security.W008" in result.stderr + result.stdout  # SSL redirect


def test_production_sends_hsts_and_redirects_plain_http_behind_the_proxy(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    plain = client.get("/konto/login/")
    proxied = client.get("/konto/login/", headers={"X-Forwarded-Proto": "https"})

    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_gunicorn_does_not_advertise_its_version(celery_processes):
    """gunicorn as the image runs it (it reads gunicorn.conf.py from the working directory)."""
    celery_processes.web(WEB_PORT)

    with urllib.request.urlopen(f"http://127.0.0.1:{WEB_PORT}/konto/login/", timeout=30) as r:
        headers = r.headers

    assert headers["Server"] == "gunicorn"
    assert "Content-Security-Policy" in headers
    assert "Permissions-Policy" in headers
    assert headers["Referrer-Policy"] == "same-origin"


# Inline code the policy would block: <script> without src, <style>, style="", on…= handlers,
# javascript: links. The report template is read by WeasyPrint only, never by a browser.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|=\s*[\"']?javascript:",
    re.IGNORECASE,
)
COMMENTS = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)
NOT_SERVED = {"reports/pdf/report.html"}


def test_no_template_has_inline_code():
    found = []
    for template in sorted((BASE_DIR / "templates").rglob("*.html")):
        name = template.relative_to(BASE_DIR / "templates").as_posix()
        if name in NOT_SERVED:
            continue
        text = COMMENTS.sub("", template.read_text())
        found += [f"{name}: {match.group(0)}" for match in INLINE_CODE.finditer(text)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "variable, value",
    [
        ("PUBLIC_EMBED_ORIGINS", "https://www.dortmund.de 'unsafe-inline'"),
        ("CSP_REPORT_URI", "https://reports.example/csp; script-src *"),
    ],
)
def test_a_policy_variable_that_would_weaken_the_header_stops_the_start(variable, value):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert variable in result.stderr
