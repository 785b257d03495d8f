"""htmx under the Content-Security-Policy, in real Chromium."""

import os

import pytest

# Importing the browser tests' settings also lets Django's ORM run beside
# Playwright's event loop.
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def chromium():
    """A Chromium for this module only, closed before the browser tests start theirs."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_htmx_works_under_csp(page, live_server, people, simulator_url):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "alice@example.com")
    page.fill("#id_password", people.password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/team/")
    page.click("text=Test connection")
    result = page.wait_for_selector("#connection-result.success")

    assert "accepted the credential" in result.inner_text()
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.url == live_server.url + "/team/"
    assert violations == []
