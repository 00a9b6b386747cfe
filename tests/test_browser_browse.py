"""The dashboard and a document page in headless Chromium, against a real ``datasette serve``."""
import contextlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from loader.web import serve_args
from test_browse import make_fixture_db

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(db_path, timeout=30):
    """``datasette serve`` as rectrack runs it, on a free port; always terminated."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db_path), *serve_args(), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("datasette exited: " + proc.stderr.read().decode(errors="replace"))
                if time.monotonic() > deadline:
                    raise TimeoutError("datasette did not start")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def browser_page(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15000)
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page, errors
        finally:
            browser.close()


@pytest.fixture
def fixture_db(tmp_path):
    path = tmp_path / "rectrack.db"
    ids = make_fixture_db(path)
    return path, ids


def test_dashboard_draws_charts(fixture_db, chromium_path):
    with served(fixture_db[0]) as base, browser_page(chromium_path) as (page, errors):
        page.goto(base + "/-/rectrack/dashboard", wait_until="load")
        for chart in ("actor", "theme", "speaker", "changes"):
            page.wait_for_selector(f"#chart-{chart} svg .mark-rect path", state="attached")
        bars = page.locator("#chart-actor svg .mark-rect path")
        # One bar segment per (actor, status): Security Council x3 statuses + Member States x1.
        assert bars.count() == 4
        assert page.locator("#chart-theme svg .mark-rect path").count() == 4
        assert errors == []
        # A bar links to the filtered table.
        page.locator("#chart-actor svg .mark-rect path").first.click()
        page.wait_for_url("**/rectrack/recommendations?*", timeout=10000)
        assert "actor_id=" in page.url and "status=" in page.url
        assert page.locator("table.rows-and-columns tbody tr").count() >= 1


def test_dashboard_filter_select(fixture_db, chromium_path):
    with served(fixture_db[0]) as base, browser_page(chromium_path) as (page, errors):
        page.goto(base + "/-/rectrack/dashboard", wait_until="load")
        page.select_option("select[name=actor]", "member-states")
        page.wait_for_url("**/dashboard?*actor=member-states*")
        page.wait_for_selector("#chart-actor svg .mark-rect path", state="attached")
        assert page.locator("#chart-actor svg .mark-rect path").count() == 1
        assert errors == []


def test_document_page_highlights(fixture_db, chromium_path):
    _, ids = fixture_db
    with served(fixture_db[0]) as base, browser_page(chromium_path) as (page, errors):
        page.goto(base + "/-/rectrack/documents/hearing-a", wait_until="load")
        marks = page.locator("article.transcript mark.rec")
        assert marks.count() == 3
        assert page.locator(f"#rec-{ids['r1']}").inner_text() == "The Council must strengthen mandates now."
        assert page.locator("article.transcript mark.commitment").count() == 1
        # Recommendations and commitments look different.
        rec_bg = page.locator("mark.rec").first.evaluate("e => getComputedStyle(e).backgroundColor")
        com_bg = page.locator("mark.commitment").first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert rec_bg != com_bg
        assert page.locator("em.note").first.evaluate("e => getComputedStyle(e).fontStyle") == "italic"
        assert errors == []


def test_seed_pages_load(seed_db, chromium_path):
    import sqlite3

    c = sqlite3.connect(seed_db)
    try:
        doc_id = c.execute("SELECT id FROM documents").fetchone()[0]
        n_recs = c.execute("SELECT count(*) FROM recommendations WHERE status != 'dismissed'").fetchone()[0]
    finally:
        c.close()
    with served(seed_db) as base, browser_page(chromium_path) as (page, errors):
        page.goto(base + "/-/rectrack/dashboard", wait_until="load")
        if n_recs:
            page.wait_for_selector("#chart-actor svg .mark-rect path", state="attached")
        else:
            assert page.get_by_text("No recommendations yet").count() == 1
        page.goto(base + f"/-/rectrack/documents/{doc_id}", wait_until="load")
        assert page.locator("article.transcript mark.rec").count() >= n_recs  # overlaps split a mark
        assert errors == []


def test_canned_query_chart_link(fixture_db, chromium_path):
    """The chart link in status_by_actor's description opens datasette-vega with the chart drawn."""
    with served(fixture_db[0]) as base, browser_page(chromium_path) as (page, errors):
        page.goto(base + "/rectrack/status_by_actor", wait_until="load")
        page.get_by_text("Show as a stacked bar chart").click()
        page.wait_for_selector("canvas, svg.marks", state="attached")
        assert "_chart=1#g.mark=bar" in page.url
        assert errors == []
