"""The first ten minutes in a real browser: home -> recommendations -> one click to a
recommendation's page -> sign in -> back on that page -> edit -> the dashboard shows the change.
Then the layout at 1400x1000 and 1024x768 (a laptop): no sideways scrolling, one row of tiles,
charts that use their width."""
import os
import re
import shutil

import pytest
from datasette_auth_passwords.utils import hash_password

from browser import browser_page
from loader.web import served
from test_first_contact import give_statuses

pytestmark = pytest.mark.browser

PASSWORD = "first contact password"


@pytest.fixture
def server(seed_db_session, tmp_path):
    path = tmp_path / "rectrack.db"
    shutil.copy(seed_db_session, path)
    give_statuses(path)
    env = dict(os.environ)
    env["RECTRACK_PASSWORD_HASH_ADMIN"] = hash_password(PASSWORD, iterations=1000)
    env.pop("RECTRACK_API_TOKEN", None)
    with served(path, env=env) as base:
        yield base, path


def tile_count(page, label):
    tile = page.locator(".rectrack-tiles a.tile", has=page.locator(".what", has_text=re.compile(f"^{label}$")))
    return int(tile.locator(".n").inner_text().strip())


def test_first_ten_minutes(server, chromium_path):
    base, path = server
    with browser_page(chromium_path, viewport=(1400, 1000)) as (page, errors):
        page.goto(base + "/-/rectrack/dashboard")
        implemented_before = tile_count(page, "implemented")

        page.goto(base + "/")
        page.get_by_role("link", name="all recommendations").click()
        page.wait_for_url("**/recommendations*")
        row = page.locator("table.rows-and-columns tbody tr").filter(has_text="Proposed").first
        text = row.locator("td.col-text a").inner_text()
        row.locator("td.col-text a").click()  # one click from the table
        page.wait_for_url("**/-/rectrack/recommendations/*")
        rec_url = page.url
        assert page.locator("blockquote.quote").inner_text().strip() == text.strip()

        page.get_by_role("link", name="Sign in").click()
        page.wait_for_url("**/-/login?next=*")
        assert page.input_value("input[name=username]") == "admin"  # the user who can sign in
        assert "Sign in as admin" in page.inner_text("section.content")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form.password-login input[type=submit]")
        assert page.url == rec_url  # back on the page you came from

        page.select_option("select[name=status]", "implemented")
        page.fill("textarea[name=note]", "Done in the first ten minutes")
        with page.expect_navigation():
            page.click("form.edit input[type=submit]")
        assert page.url == rec_url
        assert page.inner_text("h1 .status") == "Implemented"

        page.goto(base + "/-/rectrack/dashboard")
        assert tile_count(page, "implemented") == implemented_before + 1
        page.wait_for_selector("#chart-changes svg .mark-rect path", state="attached")
        assert errors == []


@pytest.mark.parametrize("viewport", [(1400, 1000), (1024, 768)])
def test_pages_fit_the_window(server, chromium_path, viewport):
    base, _ = server
    width = viewport[0]
    with browser_page(chromium_path, viewport=viewport) as (page, errors):
        page.goto(base + "/rectrack/recommendations?status__not=dismissed")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        table = page.locator("table.rows-and-columns")
        assert table.evaluate("t => t.scrollWidth") <= width
        text_cell = page.locator("td.col-text").first.bounding_box()
        assert text_cell["width"] >= 0.25 * width  # the sentence gets the room
        assert page.locator("dl.column-descriptions").is_hidden()

        page.goto(base + "/-/rectrack/dashboard")
        page.wait_for_selector("#chart-theme svg .mark-rect path", state="attached")
        tops = page.locator(".rectrack-tiles .tile").evaluate_all("ts => ts.map(t => t.offsetTop)")
        assert len(set(tops)) == 1, "the tiles wrap onto a second row"
        for chart in ("theme", "speaker"):
            svg = page.locator(f"#chart-{chart} svg").first.bounding_box()
            assert svg["width"] >= 0.4 * width, (chart, svg)
            plot = page.locator(f"#chart-{chart} svg .mark-rect").first.bounding_box()
            assert plot["width"] >= 0.18 * width, (chart, plot)  # bars, not just labels and legend
        select = page.locator("select[name=document]")
        assert select.evaluate("s => s.scrollWidth <= s.clientWidth + 30")  # titles are not cut off

        page.goto(base + "/-/login")
        label_heights = page.locator("form.password-login label").evaluate_all(
            "ls => ls.map(l => l.getBoundingClientRect().height)")
        assert max(label_heights) < 30  # one line each
        assert errors == []


def test_recommendation_form_labels_stay_on_one_line(server, chromium_path):
    base, path = server
    import sqlite3

    rid = sqlite3.connect(path).execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    with browser_page(chromium_path, viewport=(1024, 768)) as (page, errors):
        page.goto(base + "/-/login")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form.password-login input[type=submit]")
        page.goto(base + f"/-/rectrack/recommendations/{rid}")
        heights = page.locator("form.edit label").evaluate_all("ls => ls.map(l => l.getBoundingClientRect().height)")
        assert heights and max(heights) < 30, heights
        assert errors == []
