"""A business user's whole job, in real Chromium."""

import csv

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE_IDS = ["736233", "781163", "724468"]


def _log_in(page, live_server, user, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_paste_confirm_and_download(page, live_server, people, celery_worker):
    _log_in(page, live_server, people.bob, people.password)

    page.click("text=New job")
    page.fill("textarea[name=ids]", ",".join(EXAMPLE_IDS))
    page.click("text=Check the list")
    page.wait_for_selector("#preview-count")
    assert page.inner_text("#preview-count") == "3"
    page.click("#confirm")

    page.wait_for_selector("#job-status")
    page.wait_for_selector("#job-status[data-status=results_ready]", timeout=60_000)
    table = page.inner_text("#results")
    for company_id in EXAMPLE_IDS:
        assert company_id in table

    with page.expect_download() as download_info:
        page.click("#download-csv")
    path = download_info.value.path()
    with open(path, encoding="utf-8", newline="") as downloaded:
        rows = list(csv.DictReader(downloaded))
    assert {row["company_id"] for row in rows} == set(EXAMPLE_IDS)
    assert all(row["product"] for row in rows)


def test_login_required_redirects_to_login(page, live_server, db):
    page.goto(f"{live_server.url}/jobs/new/")

    assert "/accounts/login/" in page.url
    assert page.is_visible("#id_username")
