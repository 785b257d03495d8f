"""htmx under the Content-Security-Policy, in real Chromium."""

import pytest

from tests.browser.conftest import browser, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_htmx_works_under_csp(page, live_server, people, simulator_url):  # noqa: F811
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
