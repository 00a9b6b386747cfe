"""Browsing over HTTP (real Datasette through ds.client): summary.json, dashboard, document page,
metadata (facets, FTS, canned queries), CORS and permissions."""
import copy
import sqlite3

import pytest
import yaml

from loader import browse, store
from loader.web import METADATA, make_datasette
from test_browse import make_fixture_db

SUMMARY = "/-/rectrack/summary.json"


@pytest.fixture
def fixture(tmp_path):
    path = tmp_path / "rectrack.db"
    ids = make_fixture_db(path)
    return path, ids


@pytest.fixture
def fds(fixture):
    return make_datasette(fixture[0])


def _metadata(**rectrack_config):
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata = copy.deepcopy(metadata)
    metadata.setdefault("plugins", {}).setdefault("rectrack", {}).update(rectrack_config)
    return metadata


# ------------------------------------------------------------------ summary.json


@pytest.mark.asyncio
async def test_summary_shape_and_known_counts(fds):
    r = await fds.client.get(SUMMARY)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    s = r.json()
    assert list(s) == ["ok", "filters", "today", "limit", "total", "by_status", "by_actor", "by_theme",
                       "by_speaker", "overdue", "overdue_items", "documents", "counts",
                       "data_version", "as_of", "stale"]
    assert isinstance(s["data_version"], int) and s["stale"] is False and s["as_of"].endswith("Z")
    assert r.headers["x-rectrack-data-version"] == str(s["data_version"]) and r.headers["x-rectrack-stale"] == "0"
    assert s["ok"] is True and s["total"] == 4 and s["limit"] == 50
    assert list(s["by_status"]) == list(browse.STATUSES)
    assert s["by_status"]["dismissed"] == 0
    assert s["by_actor"][0] == {"actor_id": "security-council", "actor": "Security Council", "n": 3}
    assert set(s["by_theme"][0]) == {"theme", "n"}
    assert set(s["by_speaker"][0]) == {"speaker_id", "speaker", "n"}
    assert set(s["documents"][0]) == {"document_id", "title", "event_date", "n"}
    # overdue as of the real today: r1 (2000-01-01, accepted) and r5 (2026-01-14, partially implemented)
    assert s["overdue"] == 2
    assert [x["due_date"] for x in s["overdue_items"]] == ["2000-01-01", "2026-01-14"]
    assert set(s["overdue_items"][0]) == {"id", "due_date", "status", "actor_id", "document_id", "text"}
    assert s["counts"] == {"by_actor": len(s["by_actor"]), "by_theme": len(s["by_theme"]),
                           "by_speaker": len(s["by_speaker"]), "overdue_items": 2, "documents": len(s["documents"])}


@pytest.mark.asyncio
async def test_summary_lists_are_bounded_by_limit(fds):
    full = (await fds.client.get(SUMMARY)).json()
    one = (await fds.client.get(f"{SUMMARY}?limit=1")).json()
    assert one["limit"] == 1 and one["counts"] == full["counts"] and one["total"] == full["total"]
    for key in ("by_actor", "by_theme", "by_speaker", "overdue_items", "documents"):
        assert one[key] == full[key][:1], key
    assert one["overdue"] == full["overdue"] == 2 and len(one["overdue_items"]) == 1
    none = (await fds.client.get(f"{SUMMARY}?limit=0")).json()
    assert none["by_actor"] == [] and none["counts"] == full["counts"]
    for bad in ("limit=-1", "limit=x", "limit=1001", "limit=1&limit=2"):
        r = await fds.client.get(f"{SUMMARY}?{bad}")
        assert r.status_code == 400 and "limit" in r.json()["error"], bad


@pytest.mark.asyncio
@pytest.mark.parametrize("query,total", [
    ("status=dismissed", 1),
    ("actor=security-council&document=hearing-a", 2),
    ("theme=mandates", 2),
    ("actor=member-states", 1),
    ("actor=&theme=&document=&status=", 4),
])
async def test_summary_filters(fds, query, total):
    s = (await fds.client.get(f"{SUMMARY}?{query}")).json()
    assert s["total"] == total == sum(s["by_status"].values())


@pytest.mark.asyncio
@pytest.mark.parametrize("query,message", [
    ("actor=nobody", "unknown actor"),
    ("document=nope", "unknown document"),
    ("theme=nope", "unknown theme"),
    ("status=done", "unknown status"),
    ("actors=security-council", "unknown parameter"),
    ("actor=security-council&actor=member-states", "2 times"),
])
async def test_summary_400(fds, query, message):
    r = await fds.client.get(f"{SUMMARY}?{query}")
    assert r.status_code == 400
    assert r.json()["ok"] is False and message in r.json()["error"]


@pytest.mark.asyncio
async def test_summary_matches_sql_on_seed(ds, seed_db):
    s = (await ds.client.get(SUMMARY)).json()
    c = sqlite3.connect(seed_db)
    try:
        assert s["total"] == c.execute("SELECT count(*) FROM recommendations WHERE status != 'dismissed'").fetchone()[0]
        assert {r["actor_id"]: r["n"] for r in s["by_actor"]} == dict(c.execute(  # every actor of each
            "SELECT ra.actor_id, count(*) FROM recommendation_actors ra JOIN recommendations r "
            "ON r.id = ra.recommendation_id WHERE r.status != 'dismissed' GROUP BY ra.actor_id"))
        assert {r["theme"]: r["n"] for r in s["by_theme"]} == dict(c.execute(
            "SELECT theme, count(*) FROM recommendations WHERE status != 'dismissed' GROUP BY theme"))
        assert [d["document_id"] for d in s["documents"]] == [r[0] for r in c.execute(
            "SELECT id FROM documents ORDER BY event_date, id")]
    finally:
        c.close()


@pytest.mark.asyncio
async def test_summary_post_not_allowed(fds):
    r = await fds.client.post(SUMMARY, json={})
    assert r.status_code == 405
    assert r.json()["ok"] is False


# ------------------------------------------------------------------ CORS


@pytest.mark.asyncio
async def test_cors_off_by_default(fds):
    r = await fds.client.get(SUMMARY, headers={"Origin": "https://dash.example.org"})
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.asyncio
async def test_cors_configured(fixture):
    ds = make_datasette(fixture[0], metadata=_metadata(cors_origins=["https://dash.example.org"]))
    r = await ds.client.get(SUMMARY, headers={"Origin": "https://dash.example.org"})
    assert r.headers["access-control-allow-origin"] == "https://dash.example.org"
    assert "Origin" in r.headers["vary"]
    r = await ds.client.get(SUMMARY, headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in r.headers
    r = await ds.client.get(f"{SUMMARY}?actor=nobody", headers={"Origin": "https://dash.example.org"})
    assert r.status_code == 400 and r.headers["access-control-allow-origin"] == "https://dash.example.org"
    r = await ds.client.options(SUMMARY, headers={"Origin": "https://dash.example.org",
                                                  "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-methods"] == "GET"


# ------------------------------------------------------------------ permissions


@pytest.mark.asyncio
async def test_views_respect_view_permissions(fixture):
    metadata = _metadata()
    metadata["databases"]["rectrack"]["allow"] = {"id": "admin"}
    ds = make_datasette(fixture[0], metadata=metadata)
    for path in (SUMMARY, "/-/rectrack/dashboard", "/-/rectrack/documents/hearing-a"):
        assert (await ds.client.get(path)).status_code == 403, path
    cookies = {"ds_actor": ds.sign({"a": {"id": "admin"}}, "actor")}
    for path in (SUMMARY, "/-/rectrack/dashboard", "/-/rectrack/documents/hearing-a"):
        assert (await ds.client.get(path, cookies=cookies)).status_code == 200, path


# ------------------------------------------------------------------ dashboard


@pytest.mark.asyncio
async def test_dashboard(fds):
    r = await fds.client.get("/-/rectrack/dashboard")
    assert r.status_code == 200
    html = r.text
    for script in ("vendor/vega-6.4.0.min.js", "vendor/vega-lite-6.5.0.min.js", "vendor/vega-embed-7.3.0.min.js",
                   "dashboard.js"):
        assert f'src="/rectrack-static/{script}"' in html
    for chart in ("actor", "theme", "speaker", "changes"):
        assert f'id="chart-{chart}"' in html
    # Each fixture bar holds one recommendation: it opens that recommendation's page.
    assert '"href": "/-/rectrack/recommendations/r' in html
    assert "http" not in html.split('id="rectrack-specs">')[1].split("</script>")[0].replace(
        "https://vega.github.io/schema", "")  # no CDN, no absolute links in the data
    assert 'href="/rectrack/overdue_follow_ups"' in html
    assert "overdue follow-ups" in html
    assert '<option value="security-council">Security Council (3)</option>' in html
    assert 'href="/rectrack/recommendations?status=dismissed"' in html and '<span class="n">1</span> <span class="what">dismissed (not counted)</span>' in html
    for query in ("open_by_actor", "recommendations_with_commitments", "status_by_actor", "status_by_theme"):
        assert f'href="/rectrack/{query}"' in html


@pytest.mark.asyncio
async def test_dashboard_filters(fds):
    r = await fds.client.get("/-/rectrack/dashboard?actor=member-states")
    assert r.status_code == 200
    assert '<option value="member-states" selected>' in r.text
    assert "Security Council" not in r.text.split('id="rectrack-specs">')[1].split("</script>")[0]
    assert (await fds.client.get("/-/rectrack/dashboard?actor=nobody")).status_code == 400
    r = await fds.client.get("/-/rectrack/dashboard?status=declined")
    assert "No recommendations match these filters" in r.text


@pytest.mark.asyncio
async def test_dashboard_empty_state(tmp_path):
    path = tmp_path / "rectrack.db"
    store.connect(path).close()
    ds = make_datasette(path)
    r = await ds.client.get("/-/rectrack/dashboard")
    assert r.status_code == 200
    assert "No recommendations yet" in r.text and "rectrack load" in r.text
    assert 'id="chart-' not in r.text


@pytest.mark.asyncio
async def test_dashboard_empty_state_lists_documents(fixture):
    path, _ = fixture
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM commitments")
        conn.execute("DELETE FROM status_changes")
        conn.execute("DELETE FROM recommendations")
    conn.close()
    r = await make_datasette(path).client.get("/-/rectrack/dashboard")
    assert "No recommendations yet" in r.text and "2 documents are loaded" in r.text
    assert '<a href="/-/rectrack/documents/hearing-a">Hearing &lt;A&gt; &amp; co</a>' in r.text
    assert '<select name="actor">' not in r.text


@pytest.mark.asyncio
async def test_dashboard_status_tiles_link_to_table(fds):
    html = (await fds.client.get("/-/rectrack/dashboard?theme=mandates")).text
    assert 'href="/rectrack/recommendations?theme=mandates&amp;status=accepted"' in html
    assert 'href="/rectrack/recommendations?theme=mandates&amp;status__not=dismissed"' in html
    assert "Read the transcript" not in html
    html = (await fds.client.get("/-/rectrack/dashboard?document=hearing-a")).text
    assert '<a href="/-/rectrack/documents/hearing-a">Read the transcript</a>' in html


@pytest.mark.asyncio
async def test_documents_table_links_to_transcript(fds):
    html = (await fds.client.get("/rectrack/documents")).text
    assert '<a href="/-/rectrack/documents/hearing-a" title="Read the transcript">Hearing &lt;A&gt; &amp; co</a>' in html
    html = (await fds.client.get("/rectrack/recommendations")).text
    assert "Read the transcript" not in html


@pytest.mark.asyncio
async def test_dashboard_on_seed(ds):
    r = await ds.client.get("/-/rectrack/dashboard")
    assert r.status_code == 200
    n = (await ds.client.get(SUMMARY)).json()["total"]
    assert ("No recommendations yet" in r.text) == (n == 0)
    assert ('id="chart-actor"' in r.text) == (n > 0)


@pytest.mark.asyncio
async def test_static_vendored_files_served(fds):
    for path in ("vendor/vega-6.4.0.min.js", "vendor/vega-lite-6.5.0.min.js", "vendor/vega-embed-7.3.0.min.js",
                 "dashboard.js", "rectrack.css"):
        r = await fds.client.get(f"/rectrack-static/{path}")
        assert r.status_code == 200, path


# ------------------------------------------------------------------ document page


@pytest.mark.asyncio
async def test_document_page(fds, fixture):
    _, ids = fixture
    r = await fds.client.get("/-/rectrack/documents/hearing-a")
    assert r.status_code == 200
    html = r.text
    assert (f'<mark class="rec status-accepted" data-id="{ids["r1"]}" id="rec-{ids["r1"]}"' in html)
    assert f'<a href="/-/rectrack/recommendations/{ids["r1"]}">The Council must strengthen mandates now.</a></mark>' in html
    assert f'<mark class="commitment" data-id="{ids["c1"]}"' in html
    assert f'data-id="{ids["r4"]}"' not in html  # dismissed
    assert "1 dismissed (not shown)" in html
    assert '<em class="note">[applause]</em>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "<h1>Hearing &lt;A&gt; &amp; co</h1>" in html
    assert "Alice Smith <span class=\"role\">(Chair)</span>" in html
    assert "<h3>Security Council (2)</h3>" in html and "<h3>Member States (1)</h3>" in html


@pytest.mark.asyncio
async def test_document_page_404(fds):
    r = await fds.client.get("/-/rectrack/documents/nope")
    assert r.status_code == 404


@pytest.mark.asyncio
async def test_document_page_seed_marks_match_sql(ds, seed_db):
    c = sqlite3.connect(seed_db)
    try:
        doc_id = c.execute("SELECT id FROM documents").fetchone()[0]
        n_recs = c.execute("SELECT count(*) FROM recommendations WHERE document_id = ? AND status != 'dismissed'",
                           (doc_id,)).fetchone()[0]
        n_turns = c.execute("SELECT count(*) FROM turns WHERE document_id = ?", (doc_id,)).fetchone()[0]
    finally:
        c.close()
    r = await ds.client.get(f"/-/rectrack/documents/{doc_id}")
    assert r.status_code == 200
    assert r.text.count(' id="rec-') == n_recs
    assert r.text.count('<section class="turn"') == n_turns


# ------------------------------------------------------------------ metadata: facets, FTS, hidden, queries


@pytest.mark.asyncio
async def test_recommendation_facets_and_search(fds):
    r = await fds.client.get("/rectrack/recommendations.json?_search=council&_shape=objects")
    assert r.status_code == 200
    data = r.json()
    assert set(data["facet_results"]) == {"status", "actor_id", "actor_group", "theme", "speaker_id", "document_id", "strength"}
    assert {row["actor_id"] for row in data["rows"]} == {"security-council"}
    r = await fds.client.get("/rectrack/turns.json?_search=mandates&_shape=array")
    assert len(r.json()) == 2


@pytest.mark.asyncio
async def test_hidden_tables(fds):
    tables = {t["name"]: t["hidden"] for t in (await fds.client.get("/rectrack.json")).json()["tables"]}
    assert tables["speaker_aliases"] is True
    assert tables["recommendations_fts"] is True
    assert tables["recommendations"] is False


@pytest.mark.asyncio
async def test_canned_queries(fds, fixture):
    get = lambda path: fds.client.get(path)
    by_actor = (await get("/rectrack/status_by_actor.json?_shape=array")).json()
    assert set(by_actor[0]) == {"actor", "status", "n"}
    assert sum(r["n"] for r in by_actor) == 4 and "dismissed" not in {r["status"] for r in by_actor}
    by_theme = (await get("/rectrack/status_by_theme.json?_shape=array")).json()
    assert set(by_theme[0]) == {"theme", "status", "n"} and sum(r["n"] for r in by_theme) == 4
    overdue = (await get("/rectrack/overdue_follow_ups.json?_shape=array")).json()
    summary = (await get(SUMMARY)).json()
    assert len(overdue) == summary["overdue"] == 2
    open_all = (await get("/rectrack/open_by_actor.json?_shape=array")).json()
    assert {r["status"] for r in open_all} == {"accepted", "in_progress", "partially_implemented"}
    open_ms = (await get("/rectrack/open_by_actor.json?actor=member-states&_shape=array")).json()
    assert [r["actor"] for r in open_ms] == ["Member States"]
    assert (await get("/rectrack/open_by_actor.json?actor=Member+States&_shape=array")).json() == open_ms
    with_c = (await get("/rectrack/recommendations_with_commitments.json?_shape=array")).json()
    assert [(r["recommendation_id"], r["commitment_id"]) for r in with_c] == [(fixture[1]["r1"], fixture[1]["c1"])]
    html = (await get("/rectrack/status_by_actor")).text
    assert ("status_by_actor?_chart=1#g.mark=bar&amp;g.x_column=n&amp;g.x_type=quantitative&amp;g.y_column=actor"
            "&amp;g.y_type=ordinal&amp;g.color_column=status") in html


@pytest.mark.asyncio
async def test_canned_queries_on_seed_match_sql(ds, seed_db):
    c = sqlite3.connect(seed_db)
    try:
        expected = c.execute("SELECT count(*) FROM recommendation_actors ra JOIN recommendations r ON "
                             "r.id = ra.recommendation_id WHERE r.status != 'dismissed'").fetchone()[0]
        several = c.execute("SELECT count(*) FROM recommendation_actors WHERE position > 0").fetchone()[0]
    finally:
        c.close()
    assert several > 0  # the seed asks several actors at once in places: each is counted
    rows = (await ds.client.get("/rectrack/status_by_actor.json?_shape=array")).json()
    assert sum(r["n"] for r in rows) == expected


@pytest.mark.asyncio
async def test_docs_summary_example_has_the_real_shape(fds):
    """docs/json-api.md shows summary.json with the keys and item keys the endpoint answers."""
    import json
    import re
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "json-api.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(\{\n  \"ok\": true,\n  \"filters\".*?)\n```", doc, re.S).group(1)
                         .replace("…", ""))
    real = (await fds.client.get(SUMMARY)).json()
    assert list(example) == list(real)
    assert list(example["by_status"]) == list(real["by_status"])
    assert list(example["counts"]) == list(real["counts"])
    for key in ("by_actor", "by_theme", "by_speaker", "overdue_items", "documents"):
        assert set(example[key][0]) == set(real[key][0]), key


@pytest.mark.asyncio
async def test_summary_is_never_stale_after_a_write(fixture, fds):
    """Answers are cached between writes; a write from another connection shows at once."""
    path, _ids = fixture
    first = (await fds.client.get(SUMMARY)).json()
    again = (await fds.client.get(SUMMARY)).json()
    assert again == first
    conn = sqlite3.connect(path)
    with conn:
        rid, old = conn.execute(
            "SELECT id, status FROM recommendations WHERE status NOT IN ('declined', 'dismissed') LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE recommendations SET status = 'declined' WHERE id = ?", (rid,))
    conn.close()
    after = (await fds.client.get(SUMMARY)).json()
    assert after["by_status"]["declined"] == first["by_status"]["declined"] + 1
    assert after["by_status"][old] == first["by_status"][old] - 1


@pytest.mark.asyncio
async def test_summary_is_computed_once_per_database_state(fixture, fds):
    """Repeated requests are answered from the cache (one computation); a write from another
    process makes the next request compute again, and the dashboard follows the same rule."""
    import subprocess
    import sys

    from datasette.plugins import pm

    plugin = next(m for m in pm.get_plugins() if hasattr(m, "_ANSWERS"))  # plugins/rectrack.py, once per process
    path, _ids = fixture
    before = plugin._ANSWERS.computed
    first = await fds.client.get(SUMMARY + "?limit=7")
    for _ in range(3):
        assert (await fds.client.get(SUMMARY + "?limit=7")).content == first.content
    assert plugin._ANSWERS.computed == before + 1
    await fds.client.get("/-/rectrack/dashboard")
    await fds.client.get("/-/rectrack/dashboard")
    assert plugin._ANSWERS.computed == before + 2
    subprocess.run([sys.executable, "-c", (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute(\"UPDATE recommendations SET status = 'declined' WHERE status = 'accepted'\"); c.commit()"),
        str(path)], check=True)
    after = (await fds.client.get(SUMMARY + "?limit=7")).json()
    assert plugin._ANSWERS.computed == before + 3
    assert after["by_status"]["accepted"] == 0 and after != first.json()
    await fds.client.get("/-/rectrack/dashboard")
    assert plugin._ANSWERS.computed == before + 4


def _commit_elsewhere(path, sql):
    """Run ``sql`` and commit in another process (as rectrack load or a second server would)."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                    "c.executescript(sys.argv[2]); c.commit()", str(path), sql], check=True)


async def _until_fresh(ds, url, tries=3000):
    """The first answer to ``url`` that is not stale (the background computation has finished)."""
    import asyncio

    for _ in range(tries):
        r = await ds.client.get(url)
        if r.headers["x-rectrack-stale"] == "0":
            return r
        await asyncio.sleep(0.01)
    raise AssertionError(f"{url} stayed stale")


@pytest.mark.asyncio
async def test_slow_summary_serves_the_previous_state_marked_then_the_fresh_one(fixture):
    """With every computation counted as slow, the request after a write gets the previous
    state's answer at once, saying so (JSON and headers); the fresh answer follows."""
    path, _ids = fixture
    ds = make_datasette(path, metadata=_metadata(previous_answer_after_ms=0))
    first = await ds.client.get(SUMMARY)
    assert first.json()["stale"] is False and first.headers["x-rectrack-stale"] == "0"
    _commit_elsewhere(path, "UPDATE recommendations SET status = 'declined' WHERE status = 'accepted'")
    stale = await ds.client.get(SUMMARY)
    assert stale.headers["x-rectrack-stale"] == "1"
    body = stale.json()
    assert body["stale"] is True and body["data_version"] == first.json()["data_version"]
    assert {**body, "stale": False} == first.json()  # the previous state's answer, only marked
    fresh = (await _until_fresh(ds, SUMMARY)).json()
    assert fresh["stale"] is False and fresh["data_version"] > first.json()["data_version"]
    assert fresh["by_status"]["accepted"] == 0
    assert fresh["by_status"]["declined"] == first.json()["by_status"]["declined"] + first.json()["by_status"]["accepted"]


@pytest.mark.asyncio
async def test_recompute_every_keeps_serving_the_previous_state_until_its_time(fixture):
    """``recompute_every_ms``: a slow answer is not recomputed sooner than that after the last
    computation, however many readers ask; they get the previous state's answer, marked."""
    from datasette.plugins import pm

    plugin = next(m for m in pm.get_plugins() if hasattr(m, "_ANSWERS"))
    path, _ids = fixture
    ds = make_datasette(path, metadata=_metadata(previous_answer_after_ms=0, recompute_every_ms=600_000))
    first = (await ds.client.get(SUMMARY)).json()
    computed = plugin._ANSWERS.computed
    _commit_elsewhere(path, "UPDATE recommendations SET status = 'declined' WHERE status = 'accepted'")
    import asyncio

    for _ in range(5):
        r = await ds.client.get(SUMMARY)
        assert r.headers["x-rectrack-stale"] == "1" and r.json()["data_version"] == first["data_version"]
        await asyncio.sleep(0.02)
    assert plugin._ANSWERS.computed == computed


@pytest.mark.asyncio
async def test_slow_dashboard_says_its_figures_are_being_recomputed(fixture):
    path, _ids = fixture
    ds = make_datasette(path, metadata=_metadata(previous_answer_after_ms=0))
    first = await ds.client.get("/-/rectrack/dashboard")
    assert first.status_code == 200 and "being recomputed" not in first.text
    _commit_elsewhere(path, "UPDATE recommendations SET status = 'declined'")
    stale = await ds.client.get("/-/rectrack/dashboard")
    assert stale.headers["x-rectrack-stale"] == "1" and "being recomputed" in stale.text
    assert stale.headers["x-rectrack-data-version"] == first.headers["x-rectrack-data-version"]
    fresh = await _until_fresh(ds, "/-/rectrack/dashboard")
    assert "being recomputed" not in fresh.text
    assert int(fresh.headers["x-rectrack-data-version"]) > int(first.headers["x-rectrack-data-version"])


@pytest.mark.asyncio
async def test_slow_summary_whose_filter_stopped_existing_answers_the_error(fixture):
    """A background computation that fails is not hidden behind the previous answer for long:
    the request after it computes again and gets the 400."""
    path, _ids = fixture
    ds = make_datasette(path, metadata=_metadata(previous_answer_after_ms=0))
    url = SUMMARY + "?document=" + sqlite3.connect(path).execute("SELECT id FROM documents LIMIT 1").fetchone()[0]
    assert (await ds.client.get(url)).status_code == 200
    _commit_elsewhere(path, "PRAGMA foreign_keys = OFF; DELETE FROM documents")
    assert (await ds.client.get(url)).headers["x-rectrack-stale"] == "1"
    import asyncio

    for _ in range(500):
        r = await ds.client.get(url)
        if r.status_code != 200:
            break
        await asyncio.sleep(0.01)
    assert r.status_code == 400 and "unknown document" in r.json()["error"]


@pytest.mark.asyncio
async def test_small_database_is_answered_fresh_right_after_a_write(fixture, fds):
    """By default only a slow answer is served from the previous state: here every answer is fresh."""
    path, _ids = fixture
    first = (await fds.client.get(SUMMARY)).json()
    _commit_elsewhere(path, "UPDATE recommendations SET status = 'declined' WHERE status = 'accepted'")
    r = await fds.client.get(SUMMARY)
    assert r.headers["x-rectrack-stale"] == "0" and r.json()["data_version"] > first["data_version"]
    assert r.json()["by_status"]["accepted"] == 0


@pytest.mark.asyncio
async def test_table_json_is_served_once_per_database_state(fixture, fds):
    """A repeated table JSON request (rows, count, facets) is answered from the cache until any
    connection commits; another actor's request is never answered with it."""
    from datasette.plugins import pm
    from datasette_test import actor_cookie

    plugin = next(m for m in pm.get_plugins() if hasattr(m, "_TABLE_JSON"))
    path, _ids = fixture
    url = "/rectrack/recommendations.json?_size=2&_facet=status"
    first = await fds.client.get(url)
    assert first.status_code == 200
    hits = plugin._TABLE_JSON.hits
    again = await fds.client.get(url)
    assert again.content == first.content and plugin._TABLE_JSON.hits == hits + 1
    signed_in = await fds.client.get(url, cookies={"ds_actor": actor_cookie(fds, {"id": "admin"})})
    assert signed_in.status_code == 200 and plugin._TABLE_JSON.hits == hits + 1  # not shared
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE recommendations SET status = 'declined' WHERE status = 'accepted'")
    conn.close()
    after = (await fds.client.get(url)).json()
    assert plugin._TABLE_JSON.hits == hits + 1
    statuses = {f["value"]: f["count"] for f in after["facet_results"]["status"]["results"]}
    assert "accepted" not in statuses


def _facet_counts(body, column):
    return {r["value"]: r["count"] for r in body["facet_results"][column]["results"]}


def _sql_counts(path, column, where="1"):
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute(f"SELECT {column}, count(*) FROM recommendations WHERE {where} AND {column} "
                                 f"IS NOT NULL GROUP BY {column}").fetchall())
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_facet_counts_are_reused_across_pages_and_sorts_and_stay_right(fixture, fds):
    """The configured facets are counted once per filter and state: another page size or sort of
    the same rows reuses them, and the counts are the table's; a new filter counts again."""
    from datasette.plugins import pm

    plugin = next(m for m in pm.get_plugins() if hasattr(m, "_FACET_COUNTS"))
    path, _ids = fixture
    counts = plugin._FACET_COUNTS
    first = (await fds.client.get("/rectrack/recommendations.json?_size=1")).json()
    configured = yaml.safe_load(METADATA.read_text())["databases"]["rectrack"]["tables"]["recommendations"]["facets"]
    assert "actor_group" in configured and list(first["facet_results"]) == configured
    for column in configured:
        assert _facet_counts(first, column) == _sql_counts(path, column)
    facet = first["facet_results"]["status"]
    assert set(facet) == {"name", "type", "hideable", "toggle_url", "results", "truncated"}
    assert facet["type"] == "column" and facet["hideable"] is False
    hits, misses = counts.hits, counts.misses
    other = (await fds.client.get("/rectrack/recommendations.json?_size=2&_sort_desc=char_end")).json()
    # the facets and the check that the database keeps recommendation_counts, all reused
    assert counts.hits == hits + len(configured) + 1 and counts.misses == misses
    for column in configured:
        assert _facet_counts(other, column) == _facet_counts(first, column)
    assert "_sort_desc=char_end" in other["facet_results"]["status"]["results"][0]["toggle_url"]  # this request's
    filtered = (await fds.client.get("/rectrack/recommendations.json?status=accepted")).json()
    assert counts.misses == misses + len(configured)
    assert _facet_counts(filtered, "actor_id") == _sql_counts(path, "actor_id", "status = 'accepted'")
    selected = [r for r in filtered["facet_results"]["status"]["results"] if r["selected"]]
    assert [r["value"] for r in selected] == ["accepted"]  # Datasette's own toggles, per request


@pytest.mark.asyncio
async def test_facet_counts_follow_a_commit_from_another_process(fixture, fds):
    path, _ids = fixture
    before = (await fds.client.get("/rectrack/recommendations.json?_size=1")).json()
    assert _facet_counts(before, "status").get("accepted")
    _commit_elsewhere(path, "UPDATE recommendations SET status = 'declined' WHERE status = 'accepted'")
    after = (await fds.client.get("/rectrack/recommendations.json?_size=3")).json()  # another URL, same filter
    assert "accepted" not in _facet_counts(after, "status")
    assert _facet_counts(after, "status") == _sql_counts(path, "status")


@pytest.mark.asyncio
async def test_search_facets_count_the_matches(fixture, fds):
    path, _ids = fixture
    conn = sqlite3.connect(path)
    word = conn.execute("SELECT text FROM recommendations LIMIT 1").fetchone()[0].split()[1].strip(".,;:")
    conn.close()
    url = f"/rectrack/recommendations.json?_search={word}"
    for size in (1, 2):  # the second from the facet cache
        body = (await fds.client.get(url + f"&_size={size}")).json()
        matches = (f"rowid IN (SELECT rowid FROM recommendations_fts WHERE recommendations_fts MATCH '{word}')")
        assert _facet_counts(body, "theme") == _sql_counts(path, "theme", matches)
        assert sum(_facet_counts(body, "status").values()) == body["filtered_table_rows_count"] > 0


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["previous_answer_after_ms", "recompute_every_ms", "previous_answer_wait_ms"])
async def test_a_bad_answer_timing_setting_stops_the_server_at_start_naming_the_key(fixture, key):
    path, _ids = fixture
    ds = make_datasette(path, metadata=_metadata(**{key: "fast"}))
    from loader.errors import RectrackError

    with pytest.raises(RectrackError, match=rf"plugins\.rectrack\.{key} must be a number of milliseconds >= 0, not 'fast'"):
        await ds.invoke_startup()
    ok = make_datasette(path, metadata=_metadata(**{key: 250}))
    await ok.invoke_startup()
    assert (await ok.client.get("/-/rectrack/summary.json")).status_code == 200
