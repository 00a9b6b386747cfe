"""The recommendations table's facets read from recommendation_counts (real Datasette through
ds.client, real SQLite): the same JSON as Datasette's own counting, right after writes."""
import json
import shutil
import sqlite3

import pytest

from loader import counts
from loader.web import make_datasette
from test_plugin_browse import _sql_counts as sql_counts
from test_search_sql import matches

TOKEN = "counts-test-token"
TABLE = "/rectrack/recommendations.json"


def without_counts(src, dst):
    """A copy of the database whose facets Datasette counts itself (no counting triggers)."""
    shutil.copy(src, dst)
    conn = sqlite3.connect(dst)
    for (name,) in conn.execute(counts.INSTALLED_SQL.replace("name, sql", "name")).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.commit()
    conn.close()
    return dst


def facet_counts(body, column):
    return {r["value"]: r["count"] for r in body["facet_results"][column]["results"]}


def _token_app(seed_db, monkeypatch):
    """The app over ``seed_db`` and the headers of a JSON request with its API token."""
    monkeypatch.setenv("RECTRACK_API_TOKEN", TOKEN)
    return make_datasette(seed_db), {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ["_size=1", "status=accepted", "status__not=dismissed",
                                   "status__not=dismissed&_facet_size=3", "_search=council", "theme=mandates"])
async def test_the_same_facets_as_datasette_counting_itself(seed_db, tmp_path, query):
    conn = sqlite3.connect(seed_db)
    conn.execute("UPDATE recommendations SET status = 'accepted' WHERE rowid % 3 = 0")
    conn.execute("UPDATE recommendations SET status = 'dismissed', due_date = '2026-02-01' WHERE rowid % 7 = 0")
    conn.commit()
    conn.close()
    (tmp_path / "stock").mkdir()
    stock = without_counts(seed_db, tmp_path / "stock" / "rectrack.db")
    ours = (await make_datasette(seed_db).client.get(f"{TABLE}?{query}")).json()
    theirs = (await make_datasette(stock).client.get(f"{TABLE}?{query}")).json()
    assert ours["facet_results"] and ours["facet_results"] == theirs["facet_results"]
    assert ours["filtered_table_rows_count"] == theirs["filtered_table_rows_count"]


@pytest.mark.asyncio
@pytest.mark.parametrize("column,kept", [("theme", "recommendation_counts"), ("speaker_id", "recommendation_totals")])
async def test_whole_table_facets_read_the_kept_counts(seed_db, column, kept):
    conn = sqlite3.connect(seed_db)
    value, n = conn.execute(f"SELECT {column}, count(*) FROM recommendations GROUP BY 1 ORDER BY 2 DESC").fetchone()
    # a count nobody could get by counting rows: the facet was read from the kept counts
    conn.execute(f"UPDATE {kept} SET n = n + 1000 WHERE facet = ? AND value = ?", (column, value))
    conn.commit()
    conn.close()
    body = (await make_datasette(seed_db).client.get(f"{TABLE}?_size=1")).json()
    assert facet_counts(body, column)[value] == n + 1000
    filtered = (await make_datasette(seed_db).client.get(f"{TABLE}?_size=1&priority=normal")).json()
    assert facet_counts(filtered, column)[value] == n  # another filter: counted from the rows


@pytest.mark.asyncio
async def test_facets_right_after_status_updates_through_the_api(seed_db, monkeypatch):
    ds, headers = _token_app(seed_db, monkeypatch)
    before = (await ds.client.get(f"{TABLE}?_size=1")).json()
    assert facet_counts(before, "status") == sql_counts(seed_db, "status")
    conn = sqlite3.connect(seed_db)
    ids = [r[0] for r in conn.execute("SELECT id FROM recommendations ORDER BY rowid LIMIT 3")]
    conn.close()
    for rid, status in zip(ids, ["accepted", "declined", "dismissed"]):
        r = await ds.client.post(f"/-/rectrack/recommendations/{rid}.json", headers=headers,
                                 content=json.dumps({"status": status, "version": 1, "due_date": "2026-03-01"}))
        assert r.status_code == 200, r.text
    after = (await ds.client.get(f"{TABLE}?_size=1")).json()
    for column in ("status", "actor_id", "theme", "speaker_id", "document_id", "strength", "actor_group"):
        assert facet_counts(after, column) == sql_counts(seed_db, column), column
    hidden = (await ds.client.get(f"{TABLE}?_size=1&status__not=dismissed")).json()
    assert facet_counts(hidden, "theme") == sql_counts(seed_db, "theme", "status != 'dismissed'")
    assert counts.differences(sqlite3.connect(seed_db)) == []
    denied = await ds.client.post(f"/-/rectrack/recommendations/{ids[0]}.json", content=json.dumps(
        {"status": "in_progress", "version": 2}), headers={"Content-Type": "application/json"})
    assert denied.status_code == 403
    assert facet_counts((await ds.client.get(f"{TABLE}?_size=2")).json(), "status") == facet_counts(after, "status")


@pytest.mark.parametrize("sql,params", [
    ('select id from recommendations where "theme" = :p0 ', {"p0": "x"}),
    ("select id from recommendations where rowid in (select rowid from recommendations_fts "
     "where recommendations_fts match escape_fts(:search)) ", {"search": "x"}),
    ('select id from commitments ', {}),
    ('select id from recommendations where "status" = :p0 ', {"p0": "x", "p1": "y"}),
    ('select id from recommendations ', {"p0": "x"}),
])
def test_counts_answer_only_the_whole_table_or_a_status_filter(sql, params):
    assert counts.facet_sql(sql, params, "theme", 31) is None


def test_a_column_not_counted_is_not_answered():
    assert counts.facet_sql("select id from recommendations ", {}, "priority", 31) is None
    assert counts.facet_sql("select id from recommendations ", {}, "theme", 31) is not None


# ---------------------------------------------------------------- facets of a broad search


def _metadata(seed_db, **config):
    from loader.web import metadata_for

    metadata = metadata_for(seed_db)
    metadata.setdefault("plugins", {}).setdefault("rectrack", {}).update(config)
    return metadata


@pytest.mark.asyncio
async def test_a_search_broader_than_search_facet_rows_reports_its_facets_timed_out(seed_db):
    n = matches(seed_db, "council")
    assert n > 3
    narrow = make_datasette(seed_db, metadata=_metadata(seed_db, search_facet_rows=n))
    body = (await narrow.client.get(f"{TABLE}?_search=council")).json()
    assert body["facets_timed_out"] == [] and facet_counts(body, "status")
    assert sum(facet_counts(body, "status").values()) == body["filtered_table_rows_count"] == n
    broad = make_datasette(seed_db, metadata=_metadata(seed_db, search_facet_rows=n - 1))
    body = (await broad.client.get(f"{TABLE}?_search=council&_size=50")).json()  # another URL: not the cached answer
    configured = list(facet_counts_config(seed_db))
    assert body["facet_results"] == {} and body["facets_timed_out"] == configured
    assert body["filtered_table_rows_count"] == n and len(body["rows"]) == min(n, 50)  # rows and count as ever
    page = await broad.client.get("/rectrack/recommendations?_search=council")
    assert page.status_code == 200 and "These facets timed out: status, actor_id" in page.text
    nocount = (await broad.client.get(f"{TABLE}?_search=council&_nocount=1")).json()  # counted up to the bound
    assert nocount["filtered_table_rows_count"] is None and nocount["facets_timed_out"] == configured
    whole = (await broad.client.get(f"{TABLE}?_size=1")).json()  # no search: every facet
    assert list(whole["facet_results"]) == configured and whole["facets_timed_out"] == []
    unbounded = make_datasette(seed_db, metadata=_metadata(seed_db, search_facet_rows=0))
    assert facet_counts((await unbounded.client.get(f"{TABLE}?_search=council&_size=49")).json(), "status")


def facet_counts_config(seed_db):
    import yaml

    from loader.web import METADATA

    return yaml.safe_load(METADATA.read_text())["databases"]["rectrack"]["tables"]["recommendations"]["facets"]


@pytest.mark.asyncio
@pytest.mark.parametrize("value", ["many", -1, 2.5, True])
async def test_a_bad_search_facet_rows_stops_the_server_at_start(seed_db, value):
    from loader.errors import RectrackError

    ds = make_datasette(seed_db, metadata=_metadata(seed_db, search_facet_rows=value))
    with pytest.raises(RectrackError, match=r"plugins\.rectrack\.search_facet_rows must be a whole number"):
        await ds.invoke_startup()


@pytest.mark.asyncio
async def test_facets_timed_out_is_added_to_the_default_shape_only(seed_db):
    ds = make_datasette(seed_db, metadata=_metadata(seed_db, search_facet_rows=1))
    first = await ds.client.get(f"{TABLE}?_search=council&_size=3")
    again = await ds.client.get(f"{TABLE}?_search=council&_size=3")  # the kept answer
    for r in (first, again):
        assert r.status_code == 200 and int(r.headers["content-length"]) == len(r.content)
        assert r.json()["facets_timed_out"][:2] == ["status", "actor_id"]
    array = await ds.client.get(f"{TABLE}?_search=council&_shape=array&_size=2")
    assert isinstance(array.json(), list) and len(array.json()) == 2
    bad = await ds.client.get(f"{TABLE}?_sort=nosuchcolumn")
    assert bad.status_code == 400 and "facets_timed_out" not in bad.json()


# ---------------------------------------------------------------- summary.json kept while its inputs are unchanged


SUMMARY = "/-/rectrack/summary.json"
STATE_FIELDS = ("data_version", "as_of", "stale")


def _plugin():
    from datasette.plugins import pm

    return next(m for m in pm.get_plugins() if hasattr(m, "_ANSWERS"))


async def _summary(ds):
    r = await ds.client.get(SUMMARY)
    assert r.status_code == 200
    return {k: v for k, v in r.json().items() if k not in STATE_FIELDS}


def _fresh_summary(path):
    from loader import browse

    conn = sqlite3.connect(path)
    try:
        return json.loads(json.dumps(browse.compute_summary_json(conn, browse.Filters(), browse.today_utc())))
    finally:
        conn.close()


def _sql(path, sql, params=()):
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql, params)
    conn.close()


@pytest.mark.asyncio
async def test_an_edit_the_summary_does_not_read_keeps_its_answer(seed_db, monkeypatch):
    ds, headers = _token_app(seed_db, monkeypatch)
    before = await _summary(ds)
    computed = _plugin()._ANSWERS.computed
    conn = sqlite3.connect(seed_db)
    rid = conn.execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    conn.close()
    r = await ds.client.post(f"/-/rectrack/recommendations/{rid}.json", headers=headers,
                             content=json.dumps({"priority": "high", "owner": "Ana", "note": "x", "version": 1}))
    assert r.status_code == 200
    assert await _summary(ds) == before == _fresh_summary(seed_db)
    assert _plugin()._ANSWERS.computed == computed  # the same answer, not computed again
    r = await ds.client.post(f"/-/rectrack/recommendations/{rid}.json", headers=headers,
                             content=json.dumps({"status": "accepted", "version": 2}))
    assert r.status_code == 200
    after = await _summary(ds)
    assert after == _fresh_summary(seed_db) and after["by_status"]["accepted"] == before["by_status"]["accepted"] + 1
    assert _plugin()._ANSWERS.computed == computed + 1


WRITES = {
    "status": "UPDATE recommendations SET status = 'declined' WHERE rowid = 2",
    "due date": "UPDATE recommendations SET due_date = '2002-02-02', status = 'accepted' WHERE rowid = 6",
    "text": "UPDATE recommendations SET text = 'changed words', due_date = '2001-01-01' WHERE rowid = 3",
    "theme": "UPDATE recommendations SET theme = 'elsewhere' WHERE rowid = 4",
    "speaker name": "UPDATE speakers SET name = 'Someone Else' WHERE id = (SELECT speaker_id FROM recommendations "
                    "GROUP BY speaker_id ORDER BY count(*) DESC LIMIT 1)",
    "actor name": "UPDATE actors SET name = 'Renamed' WHERE id = (SELECT actor_id FROM recommendations LIMIT 1)",
    "further actor": "INSERT INTO recommendation_actors (recommendation_id, actor_id, position) "
                     "SELECT id, 'member-states', 5 FROM recommendations WHERE actor_id != 'member-states' LIMIT 1",
    "document title": "UPDATE documents SET title = 'Another title', event_date = '1999-01-01'",
    "new document": "INSERT INTO documents (id, title, event_date) VALUES ('zz-new', 'New', '2030-01-01')",
    "deleted": "DELETE FROM recommendations WHERE rowid = 5",
    "dismissed": "UPDATE recommendations SET status = 'dismissed' WHERE rowid = 2",
    "speaker moved": "UPDATE recommendations SET speaker_id = (SELECT speaker_id FROM recommendations GROUP BY "
                     "speaker_id ORDER BY count(*) DESC LIMIT 1) WHERE rowid = (SELECT rowid FROM recommendations "
                     "WHERE speaker_id IS NOT (SELECT speaker_id FROM recommendations GROUP BY speaker_id "
                     "ORDER BY count(*) DESC LIMIT 1) LIMIT 1)",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("write", list(WRITES))
async def test_every_write_the_summary_reads_gives_a_new_answer(seed_db, write):
    _sql(seed_db, "UPDATE recommendations SET due_date = '2001-01-01', status = 'accepted' WHERE rowid = 3")
    ds = make_datasette(seed_db)
    before = await _summary(ds)
    _sql(seed_db, WRITES[write])
    after = await _summary(ds)
    assert after != before and after == _fresh_summary(seed_db)


@pytest.mark.asyncio
async def test_the_top_speakers_are_kept_across_a_status_change_that_moves_no_speaker(seed_db, monkeypatch):
    ds, headers = _token_app(seed_db, monkeypatch)
    before = await _summary(ds)
    kept = _plugin()._SPEAKERS[str(seed_db)]
    (limit, listed), = kept.items()
    conn = sqlite3.connect(seed_db)
    rid, speaker = conn.execute("SELECT id, speaker_id FROM recommendations WHERE speaker_id = ?",
                                (before["by_speaker"][0]["speaker_id"],)).fetchone()
    conn.close()
    r = await ds.client.post(f"/-/rectrack/recommendations/{rid}.json", headers=headers,
                             content=json.dumps({"status": "accepted", "version": 1}))
    assert r.status_code == 200
    after = await _summary(ds)
    assert after == _fresh_summary(seed_db) and after["by_status"] != before["by_status"]
    assert kept[limit] is listed  # a new answer, with the same top speakers, not looked up again
    r = await ds.client.post(f"/-/rectrack/recommendations/{rid}.json", headers=headers,
                             content=json.dumps({"status": "dismissed", "version": 2}))
    assert r.status_code == 200
    dismissed = await _summary(ds)
    assert dismissed == _fresh_summary(seed_db) and kept[limit] is not listed
    counted = {row["speaker_id"]: row["n"] for row in dismissed["by_speaker"]}
    assert counted.get(speaker, 0) == before["by_speaker"][0]["n"] - 1
