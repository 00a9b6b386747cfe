"""The pages a new user meets first: one click from any listed recommendation to its page,
names and labels instead of raw ids and rule names, sign-in that says who can sign in and
returns to the page you came from (real Datasette through ds.client, the seed database)."""
import re
import sqlite3
from html import unescape
from html.parser import HTMLParser

import pytest
from datasette_auth_passwords.utils import hash_password

from loader import display, tracking
from loader.lexicon import load_lexicon
from loader.web import make_datasette

def give_statuses(path):
    """Every third recommendation accepted with a past due date, every third in progress (history rows)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT id, version FROM recommendations WHERE status = 'proposed' ORDER BY id").fetchall()
        for i, row in enumerate(rows):
            if i % 3 == 0:
                changes = {"status": "accepted", "due_date": "2020-01-01", "owner": "Policy unit"}
            elif i % 3 == 1:
                changes = {"status": "in_progress", "note": "started"}
            else:
                continue
            tracking.update_recommendation(conn, row["id"], changes, row["version"], {"id": "test"})
    finally:
        conn.close()


REC_LINK = re.compile(r'href="/-/rectrack/recommendations/(r[0-9a-f]+)"')


def seed_ids(path):
    c = sqlite3.connect(path)
    try:
        doc_id = c.execute("SELECT id FROM documents").fetchone()[0]
        rec_id, text = c.execute(
            "SELECT id, text FROM recommendations WHERE actor_id != 'unspecified' AND status != 'dismissed' "
            "ORDER BY char_start").fetchone()
        actor_ids = [r[0] for r in c.execute("SELECT DISTINCT actor_id FROM recommendations WHERE actor_id LIKE '%-%'")]
        cues = [r[0] for r in c.execute("SELECT DISTINCT cue FROM recommendations UNION SELECT DISTINCT cue FROM commitments")]
    finally:
        c.close()
    return {"doc": doc_id, "rec": rec_id, "text": text, "actor_ids": actor_ids, "cues": cues}


class VisibleText(HTMLParser):
    """The text a person reads as content: no tags, attributes, scripts or styles, and none of
    the reference material that names stored values on purpose (the schema SQL, the column
    notes, column pickers)."""

    SKIP_TAGS = ("title", "script", "style", "pre", "select", "datalist", "textarea")
    SKIP_CLASSES = {"dl": "column-descriptions", "details": "rectrack-column-notes"}

    def __init__(self):
        super().__init__()
        self.parts, self._skip_tag, self._depth = [], None, 0

    def handle_starttag(self, tag, attrs):
        if self._skip_tag:
            self._depth += tag == self._skip_tag
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag in self.SKIP_TAGS or self.SKIP_CLASSES.get(tag) in classes:
            self._skip_tag, self._depth = tag, 1

    def handle_endtag(self, tag):
        if self._skip_tag and tag == self._skip_tag:
            self._depth -= 1
            if not self._depth:
                self._skip_tag = None

    def handle_data(self, data):
        if not self._skip_tag:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize("text,limit", [
    ("the force commander must act now please", 18),
    ("alpha beta gamma delta", 7),
    ("short", 50),
    ("Contingents on the ground need to be properly trained and equipped", 30),
])
def test_excerpts_keep_whole_words(text, limit):
    head, tail = display.head_words(text, limit), display.tail_words(text, limit)
    assert len(head) <= limit and len(tail) <= limit
    assert text.startswith(head) and text.endswith(tail)
    words = text.split()
    assert head.split() == words[:len(head.split())]
    assert tail.split() == words[len(words) - len(tail.split()):]


def test_short_title_of_a_shouted_forum_title():
    title = ("IPI POLICY FORUM — DPKO/OCHA JOINTLY-COMMISSIONED INDEPENDENT STUDY ON 'PROTECTION OF "
             "CIVILIANS' MANDATES IN UN PEACEKEEPING OPERATIONS")
    short = display.short_title(title)
    assert short.startswith("DPKO/OCHA jointly-commissioned independent study on 'protection of")
    assert len(short) <= display.SHORT_TITLE_CHARS and short.endswith("…")
    assert display.short_title("Debate B") == "Debate B" and display.short_title(None) is None


def test_every_cue_in_the_lexicon_has_an_explanation():
    lexicon = load_lexicon()
    labels = display.cue_labels(lexicon)
    for kind in ("recommendation", "commitment"):
        for cue in lexicon["cues"][kind]:
            assert labels.get(cue["name"]), f"cue {cue['name']!r} has no entry in cue_labels"
    assert display.cue_label("need_noun") == labels["need_noun"] and "_" not in display.cue_label("need_noun")
    assert display.cue_label("made_up_cue") == "Made up cue"


# ---------------------------------------------------------------- one click to the recommendation page


@pytest.mark.asyncio
async def test_table_links_each_recommendation_to_its_page(ds, seed_db):
    ids = seed_ids(seed_db)
    html = (await ds.client.get("/rectrack/recommendations?status__not=dismissed")).text
    linked = set(REC_LINK.findall(html))
    assert ids["rec"] in linked and len(linked) >= 20
    # The id and the sentence both lead there.
    assert html.count(f'href="/-/rectrack/recommendations/{ids["rec"]}"') >= 2


@pytest.mark.asyncio
async def test_search_results_link_to_the_recommendation_page(ds, seed_db):
    html = (await ds.client.get("/rectrack/recommendations?_search=council")).text
    assert REC_LINK.search(html)


@pytest.mark.asyncio
async def test_row_page_links_to_the_recommendation_page_and_names_things(ds, seed_db):
    ids = seed_ids(seed_db)
    html = (await ds.client.get(f"/rectrack/recommendations/{ids['rec']}")).text
    assert f'href="/-/rectrack/recommendations/{ids["rec"]}"' in html
    text = visible_text(html)
    assert ids["doc"] not in text and f"{ids['doc']}:" not in text


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ["open_by_actor?actor=", "overdue_follow_ups", "recommendations_with_commitments"])
async def test_canned_queries_link_recommendations_and_show_document_titles(seed_db, query):
    give_statuses(seed_db)  # something overdue and open
    ds = make_datasette(seed_db)
    ids = seed_ids(seed_db)
    html = (await ds.client.get(f"/rectrack/{query}")).text
    assert REC_LINK.search(html), query
    assert f'href="/-/rectrack/documents/{ids["doc"]}"' in html
    assert ids["doc"] not in visible_text(html)
    # JSON keeps the ids.
    name = query.split("?")[0]
    rows = (await ds.client.get(f"/rectrack/{name}.json?_shape=array&actor=")).json()
    assert rows and all(r["document_id"] == ids["doc"] for r in rows)


@pytest.mark.asyncio
async def test_status_changes_link_to_the_recommendation_page(seed_db):
    give_statuses(seed_db)
    ds = make_datasette(seed_db)
    html = (await ds.client.get("/rectrack/status_changes")).text
    assert REC_LINK.search(html)
    assert "in_progress" not in visible_text(html)


# ---------------------------------------------------------------- the recommendations table


@pytest.mark.asyncio
async def test_table_shows_the_analyst_columns_first(ds):
    html = (await ds.client.get("/rectrack/recommendations")).text
    headers = re.findall(r'<th [^>]*data-column="([a-z_]+)"', html)
    assert headers[:7] == ["id", "text", "actor_id", "speaker_id", "status", "due_date", "document_id"]
    assert "cue" not in headers and "char_start" not in headers
    assert "show every column" in html
    # Column notes are folded away under the table.
    assert '<details class="rectrack-column-notes">' in html
    # Asking for columns shows exactly those.
    html = (await ds.client.get("/rectrack/recommendations?_col=cue&_col=text")).text
    assert re.findall(r'<th [^>]*data-column="([a-z_]+)"', html) == ["id", "cue", "text"]


@pytest.mark.asyncio
async def test_every_column_link_shows_every_column(ds):
    html = (await ds.client.get("/rectrack/recommendations")).text
    url = re.search(r'<a href="([^"]+)">show every column</a>', html).group(1).replace("&amp;", "&")
    html = (await ds.client.get(url)).text
    headers = re.findall(r'<th [^>]*data-column="([a-z_]+)"', html)
    assert {"cue", "char_start", "confidence", "version", "theme"} <= set(headers)


@pytest.mark.asyncio
async def test_facets_have_labels_and_a_repeated_facet_shows_once(ds):
    html = (await ds.client.get("/rectrack/recommendations?_facet=status&_facet=theme")).text
    names = re.findall(r'<div class="facet-info [^"]*" id="facet-([a-z_0-9]+)"', html)
    assert sorted(names) == sorted(["status", "actor_id", "actor_group", "theme", "speaker_id", "document_id", "strength"])
    titles = dict(re.findall(r'<strong title="([a-z_]+)">([^<{]+?)\s*<span', html))
    assert titles["actor_id"] == "Actor" and titles["speaker_id"] == "Speaker" and titles["document_id"] == "Document"
    assert titles["actor_group"] == "Actor group"


# ---------------------------------------------------------------- no raw ids or rule names


@pytest.mark.asyncio
async def test_main_pages_show_no_raw_ids_or_rule_names(seed_db):
    give_statuses(seed_db)
    ds = make_datasette(seed_db)
    ids = seed_ids(seed_db)
    pages = ["/", "/rectrack", "/rectrack/recommendations", "/rectrack/recommendations?_search=council",
             f"/rectrack/recommendations/{ids['rec']}", f"/-/rectrack/recommendations/{ids['rec']}",
             f"/-/rectrack/documents/{ids['doc']}", "/-/rectrack/dashboard", "/rectrack/open_by_actor?actor=",
             "/rectrack/overdue_follow_ups", "/rectrack/recommendations_with_commitments",
             "/rectrack/status_by_actor", "/rectrack/commitments", "/rectrack/status_changes"]
    raw = [re.escape(ids["doc"]), r"\b[a-z]+(?:_[a-z]+)+\b"]  # document id; snake_case values
    raw += [re.escape(a) for a in ids["actor_ids"]]
    for path in pages:
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.text)
        text = re.sub(r"\b(?:" + "|".join(COLUMN_NAMES) + r")\b", "", text)  # column names are not values
        for pattern in raw:
            hit = re.search(pattern, text)
            assert hit is None, f"{path}: shows {hit.group(0)!r}"
    assert "need_noun" in ids["cues"] or ids["cues"]


# Column and query names Datasette's own pages print (headers, filters, sort); not values.
COLUMN_NAMES = ["document_id", "turn_id", "speaker_id", "actor_id", "actor_text", "char_start", "char_end",
                "due_date", "follow_up", "updated_at", "updated_by", "recommendation_id", "from_status",
                "to_status", "changed_at", "changed_by", "event_date", "source_path", "loaded_at",
                "commitment_id", "committed_by", "days_overdue", "speaker_aliases", "status_changes",
                "recommendations_fts", "turns_fts", "short_title", "open_by_actor", "overdue_follow_ups",
                "recommendations_with_commitments", "status_by_actor", "status_by_theme", "rectrack_edit",
                "title_set_by", "title_set_at", "document_changes", "recommendations_by_actor",
                "reviewed_at", "reviewed_by", "recommendation_actors", "document_locations", "start_time", "end_time",
                "actor_group"]


# ---------------------------------------------------------------- sign-in


@pytest.mark.asyncio
async def test_recommendation_page_sign_in_link_comes_back(ds, seed_db):
    ids = seed_ids(seed_db)
    html = (await ds.client.get(f"/-/rectrack/recommendations/{ids['rec']}")).text
    assert f'href="/-/login?next=%2F-%2Frectrack%2Frecommendations%2F{ids["rec"]}"' in html
    assert "Why listed" in html and ">Cue<" not in html


@pytest.mark.asyncio
async def test_sign_in_page_says_nobody_can_sign_in_and_how_to_fix_it(ds, monkeypatch):
    monkeypatch.delenv("RECTRACK_PASSWORD_HASH_ADMIN", raising=False)
    html = unescape((await ds.client.get("/-/login")).text)
    assert "Nobody can sign in yet" in html
    assert 'export RECTRACK_PASSWORD_HASH_ADMIN="$(' in html and "hash-password)" in html


@pytest.mark.asyncio
async def test_sign_in_returns_to_the_page_you_came_from(seed_db, monkeypatch):
    monkeypatch.setenv("RECTRACK_PASSWORD_HASH_ADMIN", hash_password("pw", iterations=1000))
    ds = make_datasette(seed_db)
    ids = seed_ids(seed_db)
    target = f"/-/rectrack/recommendations/{ids['rec']}"
    page = await ds.client.get("/-/login?next=" + target)
    assert "Sign in as <strong>admin</strong>" in page.text and "Nobody can sign in" not in page.text
    assert f'action="/-/login?next=%2F-%2Frectrack%2Frecommendations%2F{ids["rec"]}"' in page.text
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    cookies = {"ds_csrftoken": page.cookies["ds_csrftoken"]}
    response = await ds.client.post("/-/login?next=" + target, cookies=cookies,
                                    data={"username": "admin", "password": "pw", "csrftoken": token})
    assert response.status_code == 302 and response.headers["location"] == target
    # Another site is never a target; a failed sign-in is not redirected.
    for unsafe in ("//evil.example/x", "/%09/evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = await ds.client.post("/-/login?next=" + unsafe, cookies=cookies,
                                        data={"username": "admin", "password": "pw", "csrftoken": token})
        assert response.status_code == 302 and response.headers["location"] == "/", unsafe
    response = await ds.client.post("/-/login?next=" + target, cookies=cookies,
                                    data={"username": "admin", "password": "wrong", "csrftoken": token})
    assert response.status_code == 200 and "Invalid username or password" in response.text


# ---------------------------------------------------------------- dashboard counts


def test_status_changes_over_time_counts_only_status_changes(seed_db):
    from loader import browse

    conn = sqlite3.connect(seed_db)
    conn.row_factory = sqlite3.Row
    try:
        rid, version = conn.execute("SELECT id, version FROM recommendations ORDER BY id").fetchone()
        result = tracking.update_recommendation(conn, rid, {"status": "accepted"}, version, {"id": "t"})
        result = tracking.update_recommendation(conn, rid, {"owner": "Desk"}, result["recommendation"]["version"],
                                                {"id": "t"})
        tracking.update_recommendation(conn, rid, {"due_date": "2030-01-01", "note": "later"},
                                       result["recommendation"]["version"], {"id": "t"})
        assert conn.execute("SELECT count(*) FROM status_changes").fetchone()[0] == 3
        data = browse.compute_dashboard(conn, browse.Filters(), table_url="/t", changes_url="/c")
    finally:
        conn.close()
    changes = data["charts"]["changes"]
    assert [(r["status"], r["n"]) for r in changes] == [("accepted", 1)]
    assert "_where=from_status+IS+NOT+to_status" in changes[0]["href"]


def test_a_bar_of_one_recommendation_opens_its_page(seed_db):
    from loader import browse

    conn = sqlite3.connect(seed_db)
    try:
        data = browse.compute_dashboard(conn, browse.Filters(), table_url="/t", changes_url="/c",
                                        rec_url="/-/rectrack/recommendations/")
        ones = {r[0]: r[1] for r in conn.execute(
            "SELECT actor_id, min(id) FROM recommendations WHERE status != 'dismissed' "
            "GROUP BY actor_id, status HAVING count(*) = 1")}
    finally:
        conn.close()
    bars = data["charts"]["actor"]
    single = [b for b in bars if b["n"] == 1]
    assert single and all(REC_LINK.match('href="' + b["href"] + '"') for b in single)
    assert {b["key"] for b in single} <= set(ones)
    assert all(b["href"].startswith("/t?") for b in bars if b["n"] > 1)


@pytest.mark.asyncio
async def test_menu_offers_sign_in_back_to_this_page(ds):
    html = (await ds.client.get("/-/rectrack/dashboard")).text
    assert '<a href="/-/login?next=%2F-%2Frectrack%2Fdashboard">Sign in</a>' in html


@pytest.mark.asyncio
async def test_in_context_excerpts_start_and_end_at_whole_words(ds, seed_db):
    conn = sqlite3.connect(seed_db)
    try:
        rows = conn.execute(
            "SELECT r.id, p.text FROM recommendations r JOIN turns t ON t.id = r.turn_id "
            "JOIN turns p ON p.document_id = t.document_id AND p.seq = t.seq - 1 "
            "WHERE length(p.text) > 700 ORDER BY r.char_start LIMIT 5").fetchall()
    finally:
        conn.close()
    assert rows
    for rec_id, previous in rows:
        html = (await ds.client.get(f"/-/rectrack/recommendations/{rec_id}")).text
        context = html.split('<div class="quote-turn context">', 1)[1].split("</div>", 1)[0]
        shown = unescape(context.split('<span class="elided">&hellip;</span>', 1)[1]).strip()
        start = previous.rindex(shown[:40])
        assert start == 0 or not previous[start - 1].isalnum(), (rec_id, previous[start - 10:start + 10])
