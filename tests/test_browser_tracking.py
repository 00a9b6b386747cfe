"""A real browser against a real server: sign in, change a status, see the result.

Headless Debian chromium (the ``chromium_path`` fixture) driven by Playwright; the server is
``datasette serve`` with the same arguments ``rectrack serve`` uses, on a free localhost port.
"""

import pytest

from browser import browser_page
from tracking_helpers import RECS_V1, rows, served_with_password

pytestmark = pytest.mark.browser

PASSWORD = "browser test password"


@pytest.fixture
def server(tmp_path):
    with served_with_password(tmp_path, PASSWORD) as served_db:
        yield served_db


def test_sign_in_and_change_status(server, chromium_path):
    base, path, ids = server
    rid = ids[RECS_V1[0][1]]
    with browser_page(chromium_path) as (page, errors):
        page.goto(base + "/-/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_load_state()
        assert "Invalid username or password" not in page.content()

        page.goto(base + f"/-/rectrack/recommendations/{rid}")
        assert page.inner_text("h1 .status") == "Proposed"
        page.select_option("select[name=status]", "accepted")
        page.fill("input[name=owner]", "Peace Operations desk")
        page.fill("textarea[name=note]", "Agreed at the May meeting")
        with page.expect_navigation():
            page.click("form.edit input[type=submit]")

        assert page.url == base + f"/-/rectrack/recommendations/{rid}"
        assert page.inner_text("h1 .status") == "Accepted"
        assert "Saved: status Proposed \u2192 Accepted, owner." in page.inner_text(".message-info")
        history = page.locator("tr.history-row")
        assert history.count() == 1
        row_text = history.first.inner_text()
        assert "Proposed \u2192 Accepted" in row_text and "admin" in row_text
        assert "Agreed at the May meeting" in row_text and "Peace Operations desk" in row_text
        # The flash message shows once.
        page.reload()
        assert page.locator(".message-info").count() == 0
        assert page.inner_text("h1 .status") == "Accepted"
        assert errors == []
    (h,) = rows(path, "select * from status_changes where recommendation_id = ?", (rid,))
    assert (h["from_status"], h["to_status"], h["changed_by"]) == ("proposed", "accepted", "admin")
