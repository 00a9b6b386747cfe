"""The dashboard and a document page in headless Chromium, against a real ``datasette serve``."""
import pytest

from browser import browser_page
from loader.web import served
from test_browse import make_fixture_db

pytestmark = pytest.mark.browser


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
        # A bar of one recommendation (every bar here) opens its page.
        page.locator("#chart-actor svg .mark-rect path").first.click()
        page.wait_for_url("**/-/rectrack/recommendations/*", timeout=10000)
        assert page.locator("blockquote.quote").count() == 1


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
