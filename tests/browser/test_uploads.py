"""The upload form in real Chromium: files, mistakes and expired sessions."""

import pytest

from techjobs.models import Upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def upload_page(page, live_server, people):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", people.bob.email)
    page.fill("#id_password", people.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/jobs/new/")
    return page


def test_file_upload_previews_column_and_cost(upload_page, tmp_path):
    export = tmp_path / "crm export.csv"
    export.write_bytes(
        b"\xef\xbb\xbfAccount;InsideView ID\r\nAcme;736233\r\nGlobex;781163\r\n"
    )

    upload_page.set_input_files("input[type=file]", str(export))
    upload_page.click("text=Check the list")

    upload_page.wait_for_selector("#preview-count")
    preview = upload_page.inner_text("#preview")
    assert upload_page.inner_text("#preview-count") == "2"
    assert "InsideView ID" in preview
    assert "Confirm and look up 2 companies" in preview


def test_invalid_lines_are_listed_and_block_confirm(upload_page):
    upload_page.fill("textarea[name=ids]", "736233\n7.36233E+05\nAcme Corp\n736233")
    upload_page.click("text=Check the list")

    upload_page.wait_for_selector("#preview .error table")
    preview = upload_page.inner_text("#preview")
    assert "7.36233E+05" in preview
    assert "Acme Corp" in preview
    assert "Excel" in preview
    assert upload_page.locator("#confirm").count() == 0
    assert not Upload.objects.exists()


def test_editing_the_list_clears_the_preview(upload_page):
    upload_page.fill("textarea[name=ids]", "736233")
    upload_page.click("text=Check the list")
    upload_page.wait_for_selector("#confirm")

    upload_page.fill("textarea[name=ids]", "736233,781163")

    assert upload_page.locator("#confirm").count() == 0
    assert "The list changed" in upload_page.inner_text("#preview")


def test_dropped_file_is_chosen(upload_page):
    upload_page.evaluate(
        """() => {
            const data = new DataTransfer();
            const file = new File(["781163\\n724468\\n"], "dropped.txt");
            data.items.add(file);
            const zone = document.getElementById("drop-zone");
            const drop = new DragEvent("drop", {dataTransfer: data, bubbles: true});
            zone.dispatchEvent(drop);
        }"""
    )
    assert "dropped.txt" in upload_page.inner_text("#file-chosen")

    upload_page.click("text=Check the list")

    upload_page.wait_for_selector("#preview-count")
    assert upload_page.inner_text("#preview-count") == "2"


def test_expired_session_lands_on_login(upload_page, live_server):
    upload_page.fill("textarea[name=ids]", "736233")
    upload_page.context.clear_cookies(name="sessionid")

    upload_page.click("text=Check the list")

    upload_page.wait_for_url("**/accounts/login/?next=/jobs/new/")
    assert "Your session has expired" in upload_page.inner_text("main")


def test_double_click_confirm_creates_one_upload(upload_page):
    upload_page.fill("textarea[name=ids]", "736233,781163")
    upload_page.click("text=Check the list")
    upload_page.wait_for_selector("#confirm")

    upload_page.dblclick("#confirm")

    upload_page.wait_for_selector("#job-status")
    assert Upload.objects.count() == 1
    assert Upload.objects.get().jobs.count() == 1


def test_oversized_paste_gets_message_in_page(upload_page, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
    upload_page.evaluate(
        "() => { document.querySelector('textarea[name=ids]').value ="
        " '736233,'.repeat(60000); }"
    )

    upload_page.click("text=Check the list")

    upload_page.wait_for_selector("#preview .error")
    assert "The pasted list is over 256.0\xa0KB" in upload_page.inner_text("#preview")
    assert "Split it into smaller parts" in upload_page.inner_text("#preview")
    assert not Upload.objects.exists()
