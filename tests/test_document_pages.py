"""Long documents are paged: loader.pages on its own, and the document page through ds.client on a
generated 1 MB transcript with 12,000 recommendations."""
import re

import pytest

from loader import browse, pages, store
from loader.web import make_datasette
from large_document import build_large_document, store_large_document

MAX_PAGE_BYTES = 600_000  # one page of HTML; the whole document once rendered as 6.7 MB


def spans_of(recs):
    return [{"start": r.char_start, "end": r.char_end} for r in recs]


def turns_of(doc):
    return [{"char_start": t.char_start, "char_end": t.char_end} for t in doc.turns]


def check_ranges(text, ranges, spans):
    assert ranges[0][0] == 0 and ranges[-1][1] == len(text)
    assert all(a < b for a, b in ranges)
    assert all(prev[1] == nxt[0] for prev, nxt in zip(ranges, ranges[1:]))  # contiguous, no overlap
    for s in spans:  # no highlight is cut
        assert pages.page_of(ranges, s["start"]) == pages.page_of(ranges, s["end"] - 1), s


# ---------------------------------------------------------------- loader.pages


def test_short_document_is_one_page():
    doc, recs = build_large_document(turns=20)
    assert pages.page_ranges(doc.text, turns_of(doc), spans_of(recs)) == [(0, len(doc.text))]


@pytest.mark.parametrize("page_chars, page_spans", [(100_000, 250), (20_000, 10_000), (10**9, 50)])
def test_pages_cover_the_text_cut_at_turns_and_are_bounded(page_chars, page_spans):
    doc, recs = build_large_document(turns=1500)
    spans = spans_of(recs)
    ranges = pages.page_ranges(doc.text, turns_of(doc), spans, page_chars, page_spans)
    check_ranges(doc.text, ranges, spans)
    starts = {t.char_start for t in doc.turns}
    assert all(a in starts for a, _ in ranges[1:])  # every page starts with a turn
    for a, b in ranges:
        assert b - a <= page_chars
        assert sum(a <= s["start"] < b for s in spans) <= page_spans
    assert len(ranges) > 1


def test_a_turn_longer_than_a_page_is_cut_between_highlights():
    doc, recs = build_large_document(turns=3, long_turn=6000)  # turn 2 is about 340k characters
    spans = spans_of(recs)
    ranges = pages.page_ranges(doc.text, turns_of(doc), spans, page_chars=50_000, page_spans=10**6)
    check_ranges(doc.text, ranges, spans)
    long = doc.turns[1]
    inside = [a for a, _ in ranges if long.char_start < a < long.char_end]
    assert len(inside) >= 6
    assert all(doc.text[a - 1] == " " for a in inside)  # cut just after blank space
    assert all(b - a <= 50_000 for a, b in ranges)


def test_safe_cut_never_lands_inside_a_highlight():
    text = "aaaa bbbb cccc dddd"
    assert pages.safe_cut(text, 12, 2, [(5, 14)]) == 5  # before the highlight, after the blank
    assert pages.safe_cut(text, 12, 6, [(5, 14)]) == 14  # the highlight fills the window: after it
    assert pages.safe_cut(text, 12, 2, []) == 10


@pytest.mark.parametrize("current, count, numbers", [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (6, 20, [1, None, 4, 5, 6, 7, 8, None, 20]),
    (20, 20, [1, None, 18, 19, 20]),
])
def test_page_numbers(current, count, numbers):
    assert pages.page_numbers(current, count) == numbers


@pytest.mark.parametrize("value, page", [(None, 1), ("", 1), ("3", 3)])
def test_parse_page(value, page):
    assert pages.parse_page(value) == page


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "2;DROP"])
def test_parse_page_refuses(value):
    with pytest.raises(ValueError, match="^page: "):
        pages.parse_page(value)


# ---------------------------------------------------------------- the document page


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "rectrack.db"
    doc = store_large_document(path, turns=3000)
    assert len(doc.text) > 950_000
    return path


@pytest.fixture
def big_ds(big_db):
    return make_datasette(big_db)


def rec_ids(path):
    conn = store.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM recommendations ORDER BY char_start")]
    finally:
        conn.close()


def page_count(html):
    return int(re.search(r"Page \d+ of (\d+)", html).group(1))


def test_the_pages_of_a_1mb_document_hold_every_recommendation_once():
    doc, recs = build_large_document(turns=3000)
    spans = spans_of(recs)
    ranges = pages.page_ranges(doc.text, turns_of(doc), spans)
    check_ranges(doc.text, ranges, spans)  # contiguous and no highlight cut: each on exactly one page
    per_page = [sum(a <= s["start"] < b for s in spans) for a, b in ranges]
    assert sum(per_page) == len(recs) == 12000 and max(per_page) <= pages.PAGE_SPANS


@pytest.mark.asyncio
async def test_pages_are_bounded_with_a_pager(big_ds, big_db):
    first = await big_ds.client.get("/-/rectrack/documents/big")
    assert first.status_code == 200
    count = page_count(first.text)
    assert "12000 recommendations" in first.text
    for n in (1, count // 2, count):
        response = await big_ds.client.get(f"/-/rectrack/documents/big?page={n}")
        assert response.status_code == 200
        assert len(response.content) < MAX_PAGE_BYTES, (n, len(response.content))
        html = response.text
        assert f"Page {n} of {count}" in html and f'<strong aria-current="page">{n}</strong>' in html
        assert ('rel="prev"' in html) == (n > 1) and ('rel="next"' in html) == (n < count)
        marks = re.findall(r'id="rec-([^"]+)"', html)
        side = re.findall(r'<li><a href="#rec-([^"]+)"', html)
        assert sorted(side) == sorted(marks) and 0 < len(marks) <= pages.PAGE_SPANS  # the side list is this page's


@pytest.mark.asyncio
@pytest.mark.parametrize("index", [0, 5_555, 11_999])
async def test_a_recommendations_link_lands_on_the_page_holding_it(big_ds, big_db, index):
    rid = rec_ids(big_db)[index]
    rec_page = await big_ds.client.get(f"/-/rectrack/recommendations/{rid}")
    assert rec_page.status_code == 200
    href = re.search(r'href="(/-/rectrack/documents/big[^"#]*)#turn-\d+">Read the whole transcript', rec_page.text)
    document = await big_ds.client.get(href.group(1).replace("&amp;", "&"))
    assert document.status_code == 200
    assert f'id="rec-{rid}"' in document.text
    assert ("?page=" in href.group(1)) == (index > 0)
    by_id = await big_ds.client.get(f"/-/rectrack/documents/big?rec={rid}")
    assert f'id="rec-{rid}"' in by_id.text


@pytest.mark.asyncio
async def test_bad_page_numbers(big_ds):
    assert (await big_ds.client.get("/-/rectrack/documents/big?page=x")).status_code == 400
    past = await big_ds.client.get("/-/rectrack/documents/big?page=100000")
    assert past.status_code == 404 and "the document has" in past.text


@pytest.mark.asyncio
async def test_a_long_turn_continues_on_the_next_page(tmp_path):
    path = tmp_path / "rectrack.db"
    store_large_document(path, turns=3, long_turn=3000, doc_id="long")  # turn 2: 3,000 recommendations
    ds = make_datasette(path)
    first = await ds.client.get("/-/rectrack/documents/long")
    continued = []
    for n in range(1, page_count(first.text) + 1):
        html = (await ds.client.get(f"/-/rectrack/documents/long?page={n}")).text
        continued.append('<span class="continued">(continued)</span>' in html)
        assert len(re.findall(r'id="rec-', html)) <= pages.PAGE_SPANS
    # 3,000 highlights in one turn: it starts on one page and continues on ten or more.
    assert not continued[0] and sum(continued) >= 10


def test_compute_document_pages(big_db):
    conn = store.connect(big_db)
    try:
        one = browse.compute_document(conn, "big")
        assert one["pagination"]["page"] == 1 and one["totals"]["recommendations"] == 12000
        last = browse.compute_document(conn, "big", one["pagination"]["count"])
        assert last["pagination"]["end"] == conn.execute("SELECT length(text) FROM documents").fetchone()[0]
        with pytest.raises(browse.PageNotFound):
            browse.compute_document(conn, "big", one["pagination"]["count"] + 1)
    finally:
        conn.close()
