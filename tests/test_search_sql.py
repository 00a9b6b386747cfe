"""A table search's count from its full-text index and its first page walked in sort order
(loader.search_sql): the same JSON as stock Datasette on the same rows, through the real app."""
import contextlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette

from loader import search_sql
from loader.web import PLUGINS, SETTINGS, STATIC, TEMPLATES, make_datasette, metadata_for

TABLE = "/rectrack/recommendations.json"
COPIES = 30  # documents: each char_start is shared by 30 rows (ties), numbered so that id and rowid orders differ
SAME = ("rows", "filtered_table_rows_count", "next", "next_url", "columns", "query", "human_description_en")

COUNT = ("select count(*) from recommendations where rowid in (select rowid from recommendations_fts "
         "where recommendations_fts match escape_fts(:search)) ")
PAGE = ("select id, text from recommendations where rowid in (select rowid from recommendations_fts "
        "where recommendations_fts match escape_fts(:search)) order by char_start limit 51")


@pytest.fixture
def many_db(seed_db):
    """The seed's recommendations in COPIES documents, later copies with smaller ids (so ties
    in char_start are in a different order by id than by rowid)."""
    conn = sqlite3.connect(seed_db)
    (doc,) = conn.execute("SELECT id FROM documents").fetchone()
    tail = len(doc) + 1
    with conn:
        for i in range(COPIES - 1, 0, -1):
            new = f"copy-{i:02d}"
            conn.execute("INSERT INTO documents (id, title, event_date, venue, source_path, sha256, text, loaded_at) "
                         "SELECT :new, title, event_date, venue, source_path, sha256, text, loaded_at FROM documents "
                         "WHERE id = :doc", {"new": new, "doc": doc})
            conn.execute("INSERT INTO recommendations (id, document_id, turn_id, speaker_id, actor_id, actor_text, "
                         "text, char_start, char_end, theme, strength, cue, confidence, status) SELECT 'r' || :new || "
                         "substr(id, 2), :new, turn_id, speaker_id, actor_id, actor_text, text, char_start, char_end, "
                         "theme, strength, cue, confidence, CASE rowid % 3 WHEN 0 THEN 'accepted' ELSE status END "
                         "FROM recommendations WHERE document_id = :doc",
                         {"new": new, "doc": doc, "tail": tail})
    conn.close()
    return seed_db


def stock_copy(src, dst):
    """A copy of the database without the search-order index: what stock Datasette had."""
    dst.parent.mkdir()
    shutil.copy(src, dst)
    conn = sqlite3.connect(dst)
    conn.execute(f"DROP INDEX {search_sql.SEARCH_ORDER['recommendations'][1]}")
    conn.commit()
    conn.close()
    return dst


@contextlib.contextmanager
def _without_our_plugins():
    """Datasette's plugin manager is the process's: once a rectrack instance has loaded
    ``plugins/`` every later Datasette runs its hooks too. Unregistered here, then put back."""
    from datasette.plugins import pm

    ours = [(pm.get_name(p), p) for p in pm.get_plugins()
            if Path(getattr(p, "__file__", None) or "/").resolve().parent == PLUGINS.resolve()]
    for _name, plugin in ours:
        pm.unregister(plugin)
    try:
        yield
    finally:
        for name, plugin in ours:
            pm.register(plugin, name=name)


async def stock_get(path, url):
    """``url`` answered by Datasette as it comes: no rectrack plugin, the same metadata and settings."""
    with _without_our_plugins():
        ds = Datasette([str(path)], metadata=metadata_for(path), settings=dict(SETTINGS))
        plugins = (await ds.client.get("/-/plugins.json")).json()
        assert not any(p["name"].startswith("rectrack") for p in plugins), plugins
        return await ds.client.get(url)


def matches(path, term):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM recommendations_fts WHERE recommendations_fts MATCH ?",
                            (term,)).fetchone()[0]
    finally:
        conn.close()


def walked(path, term):
    """Whether the first page of a search for ``term`` is walked in sort order."""
    from datasette.utils import escape_fts

    conn = sqlite3.connect(path)
    conn.create_function("escape_fts", 1, escape_fts)
    try:
        return search_sql.plan_page(conn, PAGE, {"search": term})[0]
    finally:
        conn.close()


def test_the_count_of_a_search_is_read_from_the_full_text_index():
    assert search_sql.rewrite_count(COUNT) == (
        "select count(*) from recommendations_fts where recommendations_fts match escape_fts(:search)")
    column = COUNT.replace("where recommendations_fts match", "where [text] match").replace(":search", ":search_0")
    assert search_sql.rewrite_count(column) == "select count(*) from recommendations_fts where [text] match escape_fts(:search_0)"
    raw = COUNT.replace("escape_fts(:search)", ":search")
    assert search_sql.rewrite_count(raw).endswith("where recommendations_fts match :search")


@pytest.mark.parametrize("sql", [
    COUNT.replace("where rowid in", 'where "status" = :p0 and rowid in'),  # a filter beside the search
    COUNT.replace("recommendations_fts", "other_fts"),  # not the table's own index
    COUNT.replace("rowid in", "id in"),  # another fts_pk
    "select count(*) from recommendations ",
])
def test_any_other_count_is_left_as_datasette_wrote_it(sql):
    assert search_sql.rewrite_count(sql) is None


def test_the_first_page_walks_the_search_order():
    assert search_sql.rewrite_page(PAGE) == (
        "select id, text from recommendations where +rowid in (select rowid from recommendations_fts where "
        "recommendations_fts match escape_fts(:search)) order by coalesce(char_start, NULL), rowid limit 51")


@pytest.mark.parametrize("sql", [
    PAGE.replace("order by char_start", "order by due_date"),
    PAGE.replace("order by char_start", "order by char_start desc"),
    PAGE.replace("where rowid in", 'where "status" = :p0 and rowid in'),
    PAGE.replace("from recommendations where", "from turns where").replace("recommendations_fts", "turns_fts"),
])
def test_any_other_page_is_left_as_datasette_wrote_it(sql):
    assert search_sql.rewrite_page(sql) is None


@pytest.mark.asyncio
@pytest.mark.parametrize("query", [
    "_search={common}", "_search={common}&_size=7", "_search={rare}", "_search={rare}&_size=3",
    "_search={common}&status=accepted", "_search={common}&_sort=due_date", "_search={common}&_sort_desc=char_start",
    "_search={common}&_sort=char_start&_size=4", "_search_text={common}&_size=5", "_search={common}&_searchmode=raw",
    "_search={common}&_nocount=1", "_search={common}&_shape=array&_size=3", "_search=nosuchword",
])
async def test_the_same_rows_order_and_count_as_stock_datasette(many_db, tmp_path, query):
    common, rare = "council", "resources"
    n = matches(many_db, "council")
    assert n > 200 and walked(many_db, common)  # the page is walked
    assert matches(many_db, rare) > 3 and not walked(many_db, rare)  # Datasette's own query
    url = f"{TABLE}?{query.format(common=common, rare=rare)}"
    theirs = await stock_get(stock_copy(many_db, tmp_path / "stock" / "rectrack.db"), url)
    ours = await make_datasette(many_db).client.get(url)
    assert ours.status_code == theirs.status_code == 200
    if isinstance(theirs.json(), list):
        assert ours.json() == theirs.json()
        return
    for key in SAME:
        assert ours.json()[key] == theirs.json()[key], key
    if ours.json()["next"]:  # the next page too
        nxt = ours.json()["next_url"].split("/rectrack/", 1)[1]
        ours2 = (await make_datasette(many_db).client.get(f"/rectrack/{nxt}")).json()
        theirs2 = (await stock_get(tmp_path / "stock" / "rectrack.db", f"/rectrack/{nxt}")).json()
        assert ours2["rows"] == theirs2["rows"] and ours2["filtered_table_rows_count"] == theirs2["filtered_table_rows_count"]


@pytest.mark.asyncio
async def test_a_write_is_seen_by_the_next_search(many_db):
    ds = make_datasette(many_db)
    url = f"{TABLE}?_search=council&_size=5&_shape=objects"
    before = (await ds.client.get(url)).json()
    assert before["filtered_table_rows_count"] == matches(many_db, "council")
    first = before["rows"][0]["id"]
    conn = sqlite3.connect(many_db)
    with conn:  # the first row no longer says council; another row gets a word of its own
        conn.execute("UPDATE recommendations SET text = 'nothing to see', actor_text = NULL WHERE id = ?", (first,))
        conn.execute("UPDATE recommendations SET text = text || ' zebracorn' WHERE rowid = 5")
        conn.execute("DELETE FROM recommendations WHERE id = ?", (before["rows"][1]["id"],))
    conn.close()
    after = (await ds.client.get(url)).json()
    assert after["filtered_table_rows_count"] == before["filtered_table_rows_count"] - 2
    assert [r["id"] for r in after["rows"]][:3] == [r["id"] for r in before["rows"]][2:5]
    new = (await ds.client.get(f"{TABLE}?_search=zebracorn&_shape=objects")).json()
    assert new["filtered_table_rows_count"] == 1 and len(new["rows"]) == 1


@pytest.mark.asyncio
async def test_the_search_box_of_the_table_page_lists_the_same_rows(many_db, tmp_path):
    url = "/rectrack/recommendations?_search=council&_size=5"
    json_url = f"{TABLE}?_search=council&_size=5&_shape=objects"
    theirs = (await stock_get(stock_copy(many_db, tmp_path / "stock" / "rectrack.db"), json_url)).json()
    page = await make_datasette(many_db).client.get(url)
    assert page.status_code == 200
    assert f"{theirs['filtered_table_rows_count']:,} rows" in page.text
    positions = [page.text.index(row["id"]) for row in theirs["rows"]]
    assert positions == sorted(positions)


async def executed_plans(path, url):
    """The query plans of the SQL the app ran for ``url`` (Datasette's ``?_trace=1``)."""
    ds = Datasette([str(path)], metadata=metadata_for(path), plugins_dir=str(PLUGINS), template_dir=str(TEMPLATES),
                   static_mounts=[("rectrack-static", str(STATIC))], settings={**SETTINGS, "trace_debug": True})
    body = (await ds.client.get(f"{url}&_trace=1")).json()
    conn = sqlite3.connect(path)
    conn.create_function("escape_fts", 1, lambda s: s)
    try:
        return {t["sql"]: " / ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {t['sql']}", t.get("params") or {}))
                for t in body["_trace"]["traces"]
                if t["type"] == "sql" and (" recommendations" in t["sql"] or re.fullmatch(r"select \d+", t["sql"]))}
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_a_common_search_looks_up_only_the_rows_of_its_page(many_db):
    plans = await executed_plans(many_db, f"{TABLE}?_search=council")
    count = [sql for sql in plans if sql.startswith("select count(*)") or re.fullmatch(r"select \d+", sql)]
    page = [plan for sql, plan in plans.items() if sql.startswith("select id,")]
    # no table lookup per match: the page's plan counted the index, and the count is that number
    assert count == [f"select {matches(many_db, 'council')}"]
    assert len(page) == 1 and page[0].startswith("SCAN recommendations USING INDEX idx_recs_search_order")
    assert "TEMP B-TREE" not in page[0]  # no sort of the matches: the walk stops after the page


@pytest.mark.asyncio
async def test_a_rare_search_keeps_datasettes_page_query(many_db):
    plans = await executed_plans(many_db, f"{TABLE}?_search=resources")
    page = [plan for sql, plan in plans.items() if sql.startswith("select id,")]
    assert len(page) == 1 and page[0].startswith("SEARCH recommendations USING INTEGER PRIMARY KEY")


def test_an_older_database_gets_the_search_order_index(seed_db):
    from loader import store

    conn = sqlite3.connect(seed_db)
    conn.execute(f"DROP INDEX {search_sql.SEARCH_ORDER['recommendations'][1]}")
    conn.commit()
    conn.close()
    assert not walked(seed_db, "council")  # without its index the page is Datasette's own query
    store.connect(seed_db).close()
    assert walked(seed_db, "council")


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ["_search=council", "_search=resources&_facet_size=2", "_search=council&status=accepted",
                                   "_search=council&_facet=priority&_facet=cue", "_search=council&theme__not=mandates"])
async def test_the_facets_of_a_search_are_stock_datasettes(many_db, tmp_path, query):
    url = f"{TABLE}?{query}"
    theirs = (await stock_get(stock_copy(many_db, tmp_path / "stock" / "rectrack.db"), url)).json()
    ours = (await make_datasette(many_db).client.get(url)).json()
    assert len(ours["facet_results"]) >= 7 and ours["facets_timed_out"] == []
    assert list(ours["facet_results"]) == list(theirs["facet_results"])
    assert ours["facet_results"] == theirs["facet_results"]


@pytest.mark.asyncio
async def test_the_facets_of_a_search_read_its_rows_once(many_db):
    plans = await executed_plans(many_db, f"{TABLE}?_search=resources")
    facet_queries = [sql for sql in plans if "group by" in sql]
    assert len(facet_queries) == 1 and facet_queries[0].startswith("with rows as materialized")


@pytest.mark.asyncio
async def test_a_full_text_index_not_kept_in_step_is_not_counted(many_db, tmp_path):
    conn = sqlite3.connect(many_db)
    with conn:  # without its delete trigger the index keeps the deleted rows' entries
        conn.execute("DROP TRIGGER recommendations_ad")
        conn.execute("DELETE FROM recommendations WHERE rowid IN (SELECT rowid FROM recommendations_fts "
                     "WHERE recommendations_fts MATCH 'council' LIMIT 10)")
    conn.close()
    url = f"{TABLE}?_search=council&_size=5"
    theirs = (await stock_get(stock_copy(many_db, tmp_path / "stock" / "rectrack.db"), url)).json()
    ours = (await make_datasette(many_db).client.get(url)).json()
    assert ours["filtered_table_rows_count"] == theirs["filtered_table_rows_count"] == matches(many_db, "council") - 10
    assert ours["rows"] == theirs["rows"] and not walked(many_db, "council")


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ['_search=%22council&_searchmode=raw', "_search=council+AND&_searchmode=raw",
                                   "_search=council&_timelimit=1"])
async def test_a_search_sqlite_rejects_fails_as_in_stock_datasette(many_db, tmp_path, query):
    url = f"{TABLE}?{query}"
    theirs = await stock_get(stock_copy(many_db, tmp_path / "stock" / "rectrack.db"), url)
    ours = await make_datasette(many_db).client.get(url)
    assert ours.status_code == theirs.status_code
    assert ours.json().get("error") == theirs.json().get("error")


@pytest.mark.asyncio
async def test_a_search_of_the_turns_counts_as_stock_datasette(many_db, tmp_path):
    url = "/rectrack/turns.json?_search=council&_size=3"
    theirs = (await stock_get(stock_copy(many_db, tmp_path / "stock" / "rectrack.db"), url)).json()
    ours = (await make_datasette(many_db).client.get(url)).json()
    assert ours["filtered_table_rows_count"] == theirs["filtered_table_rows_count"] > 3
    assert ours["rows"] == theirs["rows"]


def test_the_walk_is_chosen_only_when_sqlite_sorts_the_matches_themselves(many_db):
    from datasette.utils import escape_fts

    conn = sqlite3.connect(many_db)
    conn.create_function("escape_fts", 1, escape_fts)
    try:
        assert search_sql.sorts_matches_in_rowid_order(conn, "recommendations", PAGE, {"search": "council"})
        # a plan walking another index gives tied rows in that index's order: not the walk's
        other = PAGE.replace("from recommendations where", "from recommendations indexed by idx_recs_char_start where")
        assert not search_sql.sorts_matches_in_rowid_order(conn, "recommendations", other, {"search": "council"})
    finally:
        conn.close()


def test_one_pass_facets_keep_each_columns_collation():
    """Values tied on count come in the order of their own column's collation, as Datasette's
    query per facet gives them, when the facet columns' collations differ."""
    from loader.facet_counts import one_pass_facet_sql

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT COLLATE NOCASE, b TEXT, c TEXT COLLATE NOCASE)")
    conn.executemany("INSERT INTO t (a, b, c) VALUES (?, ?, ?)",
                     [("x", "B", "b"), ("x", "a", "A"), ("y", "B", "B"), ("Y", "a", "a"), ("z", None, "c")])
    sql = "select id, a, b, c from t "
    one = conn.execute(one_pass_facet_sql(sql, ["a", "b", "c"], 31)).fetchall()
    for i, column in enumerate(["a", "b", "c"]):
        per_facet = conn.execute(f"select {column} as value, count(*) as count from ({sql}) where {column} is not null "
                                 f"group by {column} order by count desc, value limit 31").fetchall()
        assert [(r[1], r[2]) for r in one if r[0] == i] == per_facet, column
    assert [r[1] for r in one if r[0] == 1] == ["B", "a"]  # binary: upper case first
