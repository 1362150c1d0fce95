"""The Content-Security-Policy, enforced in a real browser: the pages work without inline code,
the admin too, and the browser tests would notice a violation (the `page` fixture fails any
test that caused one)."""

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import expect

from measures.models import Measure
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_an_inline_script_is_blocked_and_reported(page, db):
    page.goto("/konto/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.injected === undefined")
    assert any("script-src" in violation for violation in page.csp_violations)
    page.csp_violations.clear()  # this test's violation was on purpose


def test_a_page_cannot_be_framed(page, db):
    page.goto("about:blank")  # a page of no origin and without a policy of its own
    page.set_content(f'<iframe src="{page.base_url}/konto/login/"></iframe>')
    page.wait_for_timeout(1000)
    frame = page.frames[-1]
    # The browser refuses to show the page in the frame (frame-ancestors 'none'): the frame
    # holds Chromium's error page instead of the login.
    assert frame.url.startswith("chrome-error://")
    assert "Anmelden" not in frame.content()


def test_the_browser_understands_every_permissions_policy_feature(page, db):
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    response = page.goto("/konto/login/")

    assert "camera=()" in response.headers["permissions-policy"]
    page.wait_for_timeout(300)
    assert not [text for text in messages if "Permissions-Policy" in text]


def test_htmx_partials_load_without_inline_styles(page, programme, editor_group_1):
    browser_login(page, "erika")
    page.goto("/massnahmen/")
    page.get_by_label("Suche").fill("E-Akte")
    expect(page.locator("#results")).to_contain_text("E-Akte")
    # htmx was told not to inject its indicator <style> (the CSP would refuse it).
    assert page.locator("head style").count() == 0


def test_every_admin_page_works_under_the_policy(page, programme, admin_user):
    """The admin's scripts and styles are static files: its pages need no exception. (Django's
    change list has an inline <style> only with actions_on_top and actions_on_bottom both off,
    which no admin of ours sets; this walk would notice.)"""
    browser_login(page, "alice")
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        if model_admin.has_add_permission(_request_of(admin_user)):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        assert "default-src 'none'" in response.headers["content-security-policy"], url
    # The admin's JavaScript runs: "select all" of a change list ticks every row.
    page.goto(reverse("admin:masterplan_workinggroup_changelist"))
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select").first).to_be_checked()
    measure = Measure.objects.get(number="1.1")
    page.goto(reverse("admin:measures_measure_change", args=[measure.pk]))
    expect(page.locator("#id_title")).to_have_value(measure.title)


def _request_of(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request
