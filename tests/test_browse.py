"""loader.browse: filters, SQL builders and counts, on a hand-made database with known counts
and on the seed (expected values from direct SQL)."""
import asyncio
import sqlite3
from urllib.parse import parse_qs

import pytest

from loader import browse, store
from loader.browse import FilterError, Filters
from loader.model import Commitment, Document, Note, Recommendation, Speaker, Turn

TODAY = "2026-01-15"


def _doc(doc_id, title, event_date, speeches, notes=()):
    """A Document from [(speaker key, name, role, label, spoken text)]; offsets computed."""
    text, turns, speakers = f"{title}\n\n", [], {}
    for seq, (key, name, role, label, said) in enumerate(speeches, 1):
        start = len(text)
        text += f"{label}: "
        speech = len(text)
        text += said
        turns.append(Turn(seq, label, key, said, start, len(text), speech))
        text += "\n\n"
        speakers.setdefault(key, Speaker(key, name, role, [label]))
    note_objs = []
    for note in notes:
        note_objs.append(Note(len(text), note))
        text += note + "\n"
    return Document(doc_id, text, f"/tmp/{doc_id}.txt", "0" * 64, title, event_date, "Room 1",
                    turns, note_objs, list(speakers.values()))


def _rec(doc, seq, phrase, actor, theme, strength):
    turn = doc.turns[seq - 1]
    start = doc.text.index(phrase, turn.speech_start)
    return Recommendation(seq, turn.speaker_key, phrase, start, start + len(phrase), actor, "body",
                          actor.lower(), theme, strength, "should", 0.9)


def make_fixture_db(path):
    """Two documents, five recommendations (one dismissed), one commitment, one note, history.

    Known counts (default filters, today=2026-01-15): total 4; accepted, in_progress,
    implemented, partially_implemented 1 each; Security Council 3, Member States 1;
    mandates 2, resources 1, training 1; overdue 2 (r1 accepted and r5 partially implemented
    are past due; r2 is implemented, r4 dismissed, r3 not yet due).
    """
    hearing = _doc("hearing-a", "Hearing <A> & co", "2024-01-01", [
        ("alice", "Alice Smith", "Chair", "Alice",
         "Welcome. The Council must strengthen mandates now. Also, <script>alert(1)</script> is text."),
        ("bob", "Bob Jones", "Minister", "Bob",
         "Thank you. The Council should train troops. Member States should support mandates. "
         "We in DPKO will draft guidance. Member States could fund it."),
    ], notes=["[applause]"])
    debate = _doc("debate-b", "Debate B", "2024-02-01", [
        ("carol", "Carol White", None, "Carol", "The Council should pay for the missions."),
    ])
    conn = store.connect(path)
    r1 = _rec(hearing, 1, "The Council must strengthen mandates now.", "Security Council", "mandates", "must")
    r2 = _rec(hearing, 2, "The Council should train troops.", "Security Council", "training", "should")
    r3 = _rec(hearing, 2, "Member States should support mandates.", "Member States", "mandates", "should")
    r4 = _rec(hearing, 2, "Member States could fund it.", "Member States", "resources", "could")
    phrase = "We in DPKO will draft guidance."
    start = hearing.text.index(phrase)
    c1 = Commitment(2, "bob", phrase, start, start + len(phrase), "DPKO", "secretariat", "committed", "will", 0.8, 0)
    store.store_document(conn, hearing, [r1, r2, r3, r4], [c1])
    r5 = _rec(debate, 1, "The Council should pay for the missions.", "Security Council", "resources", "should")
    store.store_document(conn, debate, [r5], [])
    rid = dict(conn.execute("SELECT text, id FROM recommendations").fetchall())
    edits = [  # (rec, status, due_date)
        (r1, "accepted", "2000-01-01"),
        (r2, "implemented", "2000-01-01"),
        (r3, "in_progress", "2999-01-01"),
        (r4, "dismissed", "2000-01-01"),
        (r5, "partially_implemented", "2026-01-14"),
    ]
    with conn:
        for rec, status, due in edits:
            conn.execute("UPDATE recommendations SET status = ?, due_date = ? WHERE id = ?",
                         (status, due, rid[rec.text]))
            conn.execute("INSERT INTO status_changes (recommendation_id, from_status, to_status, changed_at, "
                         "changed_by) VALUES (?, 'proposed', ?, '2026-01-10T10:00:00+00:00', 'admin')",
                         (rid[rec.text], status))
    conn.close()
    return {"r1": rid[r1.text], "r2": rid[r2.text], "r3": rid[r3.text], "r4": rid[r4.text],
            "r5": rid[r5.text], "c1": conn_id(path, "commitments", c1.text), "hearing": hearing}


def conn_id(path, table, text):
    c = sqlite3.connect(path)
    try:
        return c.execute(f"SELECT id FROM {table} WHERE text = ?", (text,)).fetchone()[0]
    finally:
        c.close()


@pytest.fixture
def fixture_db(tmp_path):
    path = tmp_path / "rectrack.db"
    ids = make_fixture_db(path)
    return path, ids


@pytest.fixture
def conn(fixture_db):
    c = sqlite3.connect(fixture_db[0])
    yield c
    c.close()


# ------------------------------------------------------------------ filters


@pytest.mark.parametrize("query,expected", [
    ("", Filters()),
    ("actor=security-council", Filters(actor="security-council")),
    ("document=a&theme=mandates&status=accepted", Filters(document="a", theme="mandates", status="accepted")),
    ("actor=&theme=", Filters()),
    ("_=123&status=dismissed", Filters(status="dismissed")),
])
def test_parse_filters(query, expected):
    assert browse.parse_filters(parse_qs(query, keep_blank_values=True)) == expected


@pytest.mark.parametrize("query,message", [
    ("actors=x", "unknown parameter"),
    ("actor=a&actor=b", "given 2 times"),
    ("status=done", "unknown status"),
    ("status=Accepted", "unknown status"),
])
def test_parse_filters_rejects(query, message):
    with pytest.raises(FilterError, match=message):
        browse.parse_filters(parse_qs(query, keep_blank_values=True))


def test_where_clause_uses_parameters_only():
    sql, params = browse.where_clause(Filters(actor="x' OR 1=1 --", theme="t"))
    assert "x'" not in sql and "OR 1=1" not in sql
    assert params == {"f_actor": "x' OR 1=1 --", "f_theme": "t", "f_hidden": "dismissed"}
    sql, params = browse.where_clause(Filters(status="dismissed"))
    assert "f_hidden" not in params and params["f_status"] == "dismissed"


def test_injection_attempt_matches_nothing(conn):
    summary = browse.compute_summary(conn, Filters(actor="x' OR 1=1 --"), TODAY)
    assert summary["total"] == 0


def test_check_known(conn):
    browse.check_known(conn, Filters(document="hearing-a", actor="member-states", theme="mandates"))
    for bad in (Filters(document="nope"), Filters(actor="nope"), Filters(theme="nope")):
        with pytest.raises(FilterError, match="unknown"):
            browse.check_known(conn, bad)


def test_final_statuses_are_statuses_and_partial_is_not_final():
    assert set(browse.FINAL_STATUSES) < set(browse.STATUSES)
    assert "partially_implemented" not in browse.FINAL_STATUSES
    assert browse.HIDDEN_STATUS in browse.FINAL_STATUSES


# ------------------------------------------------------------------ summary: known counts


def test_summary_known_counts(conn):
    s = browse.compute_summary(conn, Filters(), TODAY)
    assert list(s) == ["ok", "filters", "today", "total", "by_status", "by_actor", "by_theme",
                       "by_speaker", "overdue", "documents"]
    assert s["total"] == 4
    assert s["by_status"] == {"proposed": 0, "accepted": 1, "in_progress": 1, "implemented": 1,
                              "partially_implemented": 1, "declined": 0, "dismissed": 0}
    assert s["by_actor"] == [
        {"actor_id": "security-council", "actor": "Security Council", "n": 3},
        {"actor_id": "member-states", "actor": "Member States", "n": 1},
    ]
    assert s["by_theme"] == [{"theme": "mandates", "n": 2}, {"theme": "resources", "n": 1},
                             {"theme": "training", "n": 1}]
    assert s["by_speaker"] == [
        {"speaker_id": "hearing-a:bob", "speaker": "Bob Jones", "n": 2},
        {"speaker_id": "hearing-a:alice", "speaker": "Alice Smith", "n": 1},
        {"speaker_id": "debate-b:carol", "speaker": "Carol White", "n": 1},
    ]
    assert s["overdue"] == 2
    assert s["documents"] == [
        {"document_id": "hearing-a", "title": "Hearing <A> & co", "event_date": "2024-01-01", "n": 3},
        {"document_id": "debate-b", "title": "Debate B", "event_date": "2024-02-01", "n": 1},
    ]
    assert s["filters"] == {"document": None, "actor": None, "theme": None, "status": None}


@pytest.mark.parametrize("filters,total,overdue,docs", [
    (Filters(status="dismissed"), 1, 0, {"hearing-a": 1, "debate-b": 0}),
    (Filters(actor="security-council", document="hearing-a"), 2, 1, {"hearing-a": 2}),
    (Filters(theme="resources"), 1, 1, {"hearing-a": 0, "debate-b": 1}),
    (Filters(status="implemented"), 1, 0, {"hearing-a": 1, "debate-b": 0}),
    (Filters(actor="dpko"), 0, 0, {"hearing-a": 0, "debate-b": 0}),
])
def test_summary_filtered_known_counts(conn, filters, total, overdue, docs):
    s = browse.compute_summary(conn, filters, TODAY)
    assert s["total"] == total
    assert s["overdue"] == overdue
    assert {d["document_id"]: d["n"] for d in s["documents"]} == docs
    assert sum(s["by_status"].values()) == total
    assert sum(r["n"] for r in s["by_actor"]) == total
    assert sum(r["n"] for r in s["by_theme"]) == total
    assert sum(r["n"] for r in s["by_speaker"]) == total


def test_overdue_depends_on_today(conn):
    assert browse.compute_summary(conn, Filters(), "2026-01-14")["overdue"] == 1  # r5 due that day
    assert browse.compute_summary(conn, Filters(), "1999-01-01")["overdue"] == 0


# ------------------------------------------------------------------ summary: against SQL (fixture and seed)


def _expected_by_sql(c, today):
    q = lambda sql, *p: c.execute(sql, p).fetchall()
    return {
        "total": q("SELECT count(*) FROM recommendations WHERE status != 'dismissed'")[0][0],
        "by_status": dict(q("SELECT status, count(*) FROM recommendations WHERE status != 'dismissed' GROUP BY status")),
        # every actor of a recommendation counts it (the extractor links all the actors it asks)
        "by_actor": dict(q("SELECT ra.actor_id, count(*) FROM recommendation_actors ra JOIN recommendations r "
                           "ON r.id = ra.recommendation_id WHERE r.status != 'dismissed' GROUP BY ra.actor_id")),
        "by_theme": dict(q("SELECT theme, count(*) FROM recommendations WHERE status != 'dismissed' GROUP BY theme")),
        "by_speaker": dict(q("SELECT speaker_id, count(*) FROM recommendations WHERE status != 'dismissed' "
                             "GROUP BY speaker_id")),
        "overdue": q("SELECT count(*) FROM recommendations WHERE due_date < ? AND status NOT IN "
                     "('implemented', 'declined', 'dismissed')", today)[0][0],
        "documents": dict(q("SELECT d.id, (SELECT count(*) FROM recommendations r WHERE r.document_id = d.id "
                            "AND r.status != 'dismissed') FROM documents d")),
    }


def _check_against_sql(c, today):
    s = browse.compute_summary(c, Filters(), today)
    e = _expected_by_sql(c, today)
    assert s["total"] == e["total"]
    assert {k: v for k, v in s["by_status"].items() if v} == e["by_status"]
    assert set(s["by_status"]) >= set(browse.STATUSES)
    assert {r["actor_id"]: r["n"] for r in s["by_actor"]} == e["by_actor"]
    assert {r["theme"]: r["n"] for r in s["by_theme"]} == e["by_theme"]
    assert {r["speaker_id"]: r["n"] for r in s["by_speaker"]} == e["by_speaker"]
    assert s["overdue"] == e["overdue"]
    assert {d["document_id"]: d["n"] for d in s["documents"]} == e["documents"]
    for key in ("by_actor", "by_theme", "by_speaker"):
        ns = [r["n"] for r in s[key]]
        assert ns == sorted(ns, reverse=True)
    return s


def test_summary_matches_sql_fixture(conn):
    _check_against_sql(conn, TODAY)


def test_summary_matches_sql_seed(seed_db):
    c = sqlite3.connect(seed_db)
    try:
        s = _check_against_sql(c, browse.today_utc())
        assert len(s["documents"]) == c.execute("SELECT count(*) FROM documents").fetchone()[0] >= 1
        # Give the seed some workflow and check again: every count must follow.
        ids = [r[0] for r in c.execute("SELECT id FROM recommendations ORDER BY id")]
        with c:
            for i, rid in enumerate(ids):
                status = browse.STATUSES[i % len(browse.STATUSES)]
                c.execute("UPDATE recommendations SET status = ?, due_date = ? WHERE id = ?",
                          (status, "2000-01-01" if i % 2 else None, rid))
        _check_against_sql(c, browse.today_utc())
        for actor_id, in c.execute("SELECT DISTINCT actor_id FROM recommendations LIMIT 5").fetchall():
            f = Filters(actor=actor_id)
            expected = c.execute("SELECT count(*) FROM recommendations WHERE id IN (SELECT recommendation_id FROM "
                                 "recommendation_actors WHERE actor_id = ?) AND status != 'dismissed'",
                                 (actor_id,)).fetchone()[0]
            assert browse.compute_summary(c, f)["total"] == expected
    finally:
        c.close()


# ------------------------------------------------------------------ dashboard data and specs


def test_dashboard_data_and_hrefs(conn):
    d = browse.compute_dashboard(conn, Filters(document="hearing-a"), "/rectrack/recommendations",
                                 "/rectrack/status_changes", TODAY)
    actor_rows = {(r["key"], r["status"]): r for r in d["charts"]["actor"]}
    assert set(actor_rows) == {("security-council", "accepted"), ("security-council", "implemented"),
                               ("member-states", "in_progress")}
    assert actor_rows[("security-council", "accepted")]["href"] == (
        "/rectrack/recommendations?document_id=hearing-a&actor_id=security-council&status=accepted")
    assert actor_rows[("member-states", "in_progress")]["label"] == "Member States"
    assert sum(r["n"] for r in d["charts"]["theme"]) == 3
    changes = d["charts"]["changes"]
    assert {r["status"] for r in changes} == {"accepted", "implemented", "in_progress"}  # dismissed hidden
    assert changes[0]["href"].startswith("/rectrack/status_changes?changed_at__startswith=2026-01-10&to_status=")
    assert d["filtered_table_url"] == "/rectrack/recommendations?document_id=hearing-a&status__not=dismissed"
    assert d["any_recommendations"] is True
    assert [o["value"] for o in d["options"]["actor"]] == ["member-states", "security-council"]
    specs = browse.chart_specs(d["charts"])
    assert set(specs) == {"actor", "theme", "speaker", "changes"}
    assert specs["actor"]["encoding"]["href"] == {"field": "href", "type": "nominal"}
    assert specs["actor"]["encoding"]["color"]["scale"]["domain"] == [s for s in browse.STATUSES if s != "dismissed"]
    assert specs["changes"]["encoding"]["x"]["scale"]["domain"] == ["2026-01-03", "2026-01-17"]


@pytest.mark.parametrize("days,expected", [
    (["2026-01-10"], ["2026-01-03", "2026-01-17"]),
    (["2026-01-01", "2026-03-01"], ["2026-01-01", "2026-03-02"]),
])
def test_day_domain(days, expected):
    assert browse._day_domain([{"day": d} for d in days]) == expected


def test_dismissed_coloured_only_when_shown():
    rows = [{"label": "x", "status": "dismissed", "n": 1, "href": "/"}]
    assert "dismissed" in browse.bar_spec(rows, "t", "a")["encoding"]["color"]["scale"]["domain"]


def test_top_keys_limits_and_disambiguates():
    rows = [
        {"key": "d1:chair", "label": "Chair", "status": "proposed", "n": 5},
        {"key": "d2:chair", "label": "Chair", "status": "accepted", "n": 4},
        {"key": "d2:chair", "label": "Chair", "status": "proposed", "n": 1},
        {"key": "d1:x", "label": None, "status": "proposed", "n": 1},
        {"key": None, "label": None, "status": "proposed", "n": 2},
    ]
    kept, counts = browse.top_keys([dict(r) for r in rows], 2)
    assert counts == {"shown": 2, "total": 4}
    assert [(r["key"], r["label"]) for r in kept] == [
        ("d1:chair", "Chair (d1:chair)"), ("d2:chair", "Chair (d2:chair)"), ("d2:chair", "Chair (d2:chair)")]
    kept, _ = browse.top_keys([dict(r) for r in rows], 10)
    assert {r["label"] for r in kept if r["key"] in ("d1:x", None)} == {"d1:x", "(none)"}
    specs = browse.chart_specs({"speaker": kept}, {"speaker": {"shown": 2, "total": 4}})
    assert specs["speaker"]["title"] == "Status by speaker (top 2 of 4)"


def test_table_href_nulls_and_escaping():
    assert browse.table_href("/t", {"actor_id": None, "status": "a b&c"}) == "/t?actor_id__isnull=1&status=a+b%26c"
    assert browse.table_href("/t", {}) == "/t"


def test_dashboard_empty(tmp_path):
    c = store.connect(tmp_path / "empty.db")
    d = browse.compute_dashboard(c, Filters(), "/t", "/c", TODAY)
    assert d["any_recommendations"] is False
    assert d["summary"]["total"] == 0 and d["summary"]["documents"] == []
    assert browse.chart_specs(d["charts"]) == {}


# ------------------------------------------------------------------ document page


def test_segment_exact_and_overlapping():
    text = "0123456789"
    spans = [{"id": "a", "start": 2, "end": 6}, {"id": "b", "start": 4, "end": 8}]
    pieces = browse.segment(text, 0, 10, spans)
    assert "".join(p["text"] for p in pieces) == text
    assert [(p["text"], [s["id"] for s in p["spans"]]) for p in pieces] == [
        ("01", []), ("23", ["a"]), ("45", ["a", "b"]), ("67", ["b"]), ("89", [])]
    assert [p["start"] for p in pieces] == [0, 2, 4, 6, 8]


def test_speech_start():
    text = "Intro\n\nDr. Who:   Hello there"
    assert text[browse.speech_start(text, 7, len(text), "Dr. Who"):] == "Hello there"
    assert browse.speech_start(text, 7, len(text), "Someone else") == 7
    assert browse.speech_start(text, 7, len(text), None) == 7


def test_compute_document(conn, fixture_db):
    _, ids = fixture_db
    d = browse.compute_document(conn, "hearing-a")
    text = conn.execute("SELECT text FROM documents WHERE id = 'hearing-a'").fetchone()[0]
    rec_ids = {r["id"] for r in d["recommendations"]}
    assert rec_ids == {ids["r1"], ids["r2"], ids["r3"]}  # r4 dismissed
    assert d["dismissed"] == 1
    # Every highlighted piece is exactly the recommendation's characters.
    for rec in d["recommendations"]:
        covered = "".join(p["text"] for b in d["blocks"] for p in b["pieces"]
                          if any(s.get("id") == rec["id"] for s in p["spans"]))
        assert covered == text[rec["start"]:rec["end"]] == rec["text"]
    com = "".join(p["text"] for b in d["blocks"] for p in b["pieces"]
                  if any(s.get("kind") == "commitment" for s in p["spans"]))
    assert com == "We in DPKO will draft guidance."
    note = "".join(p["text"] for b in d["blocks"] for p in b["pieces"]
                   if any(s.get("kind") == "note" for s in p["spans"]))
    assert note == "[applause]"
    turns = [b for b in d["blocks"] if b["kind"] == "turn"]
    assert [b["turn"]["speaker"] for b in turns] == ["Alice Smith", "Bob Jones"]
    assert turns[0]["pieces"][0]["text"].startswith("Welcome.")  # label cut off
    assert [g["actor"] for g in d["groups"]] == ["Security Council", "Member States"]
    assert browse.compute_document(conn, "nope") is None


def test_document_blocks_keep_all_text_outside_labels():
    text = "Title\n\nA: one two\n\n[note]\n\nB: three"
    turns = [{"char_start": 7, "char_end": 17, "label": "A"}, {"char_start": 27, "char_end": len(text), "label": "B"}]
    blocks = browse.document_blocks(text, turns, [])
    assert [(b["kind"], "".join(p["text"] for p in b["pieces"])) for b in blocks] == [
        ("gap", "Title"), ("turn", "one two"), ("gap", "[note]"), ("turn", "three")]


# ------------------------------------------------------------------ CORS


@pytest.mark.parametrize("origin,allowed,expected", [
    ("https://a.org", ["https://a.org"], {"Access-Control-Allow-Origin": "https://a.org", "Vary": "Origin"}),
    ("https://b.org", ["https://a.org"], {"Vary": "Origin"}),
    (None, ["https://a.org"], {"Vary": "Origin"}),
    ("https://b.org", ["*"], {"Access-Control-Allow-Origin": "*"}),
    ("https://a.org", None, {}),
    ("https://a.org", [], {}),
    ("https://a.org", "https://a.org", {"Access-Control-Allow-Origin": "https://a.org", "Vary": "Origin"}),
])
def test_cors_headers(origin, allowed, expected):
    assert browse.cors_headers(origin, allowed) == expected


# ------------------------------------------------------------------ result cache


def test_state_token_changes_with_every_commit_from_any_connection(tmp_path):
    from loader.answers import StateTokens

    path = tmp_path / "rectrack.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    tokens = StateTokens()
    seen = {tokens.token(path)}
    assert tokens.token(path) in seen  # no write: the same state
    for _ in range(5):  # back-to-back commits, each one a new state
        conn.execute("INSERT INTO t VALUES (1)")
        conn.commit()
        token = tokens.token(path)
        assert token not in seen
        seen.add(token)
    conn.close()
    assert tokens.token(None) is None  # no file: nothing to cache
    tokens.close()


def test_answer_cache_computes_once_per_key_and_state():
    import asyncio

    from loader.answers import AnswerCache

    cache = AnswerCache(maxsize=2)
    calls = []

    async def compute():
        calls.append(1)
        await asyncio.sleep(0.01)
        return len(calls)

    async def scenario():
        together = await asyncio.gather(*(cache.get("q", 1, compute) for _ in range(5)))
        assert together == [1] * 5 and len(calls) == 1  # five requests at once: one computation
        assert await cache.get("q", 1, compute) == 1
        assert await cache.get("q", 2, compute) == 2  # a new state
        assert await cache.get("m", None, compute) == 3 and await cache.get("m", None, compute) == 4
        await cache.get("a", 2, compute)
        await cache.get("b", 2, compute)  # least recently used ("q", 2) goes
        assert await cache.get("q", 2, compute) == 7

    asyncio.run(scenario())


def test_answer_cache_serves_the_previous_answer_of_a_slow_question_while_computing():
    import asyncio

    from loader.answers import AnswerCache

    cache = AnswerCache()
    calls = []

    def slow(value, cost=1.0):
        async def compute():
            calls.append(value)
            await asyncio.sleep(0.01)
            return value, cost
        return compute

    async def scenario():
        assert await cache.get_or_previous("q", 1, slow("a"), previous_after=0.5) == ("a", True)  # nothing before: waits
        assert await cache.get_or_previous("q", 1, slow("never"), previous_after=0.5) == ("a", True)
        # state 2: the previous answer at once, one background computation however many ask
        answers = await asyncio.gather(*(cache.get_or_previous("q", 2, slow("b"), 0.5) for _ in range(3)))
        assert answers == [("a", False)] * 3 and calls == ["a", "b"]
        assert await cache.get_or_previous("q", 3, slow("c"), 0.5) == ("a", False)  # b still running: no second one
        await asyncio.sleep(0.05)
        assert calls == ["a", "b"]
        assert await cache.get_or_previous("q", 2, slow("x"), 0.5) == ("b", True)
        assert await cache.get_or_previous("q", 3, slow("c"), 0.5) == ("b", False)
        await asyncio.sleep(0.05)
        assert await cache.get_or_previous("q", 3, slow("y"), 0.5) == ("c", True)
        # a cheap question is always answered fresh
        assert await cache.get_or_previous("f", 1, slow("f1", 0.001), 0.5) == ("f1", True)
        assert await cache.get_or_previous("f", 2, slow("f2", 0.001), 0.5) == ("f2", True)

        async def failing():
            raise RuntimeError("gone")

        assert await cache.get_or_previous("q", 4, failing, 0.5) == ("c", False)
        await asyncio.sleep(0.01)
        try:  # the failure forgot the previous answer: computed in the foreground, raised
            await cache.get_or_previous("q", 4, failing, 0.5)
        except RuntimeError as e:
            assert str(e) == "gone"
        else:
            raise AssertionError("expected the failure")

    asyncio.run(scenario())


@pytest.mark.parametrize("max_bars", [1, 2, 20])
def test_dashboard_charts_match_counting_every_key(conn, max_bars):
    """The charts read no ids and count the speaker chart's top keys only, yet show what counting
    every (key, status) pair and keeping the biggest keys shows; a bar of one opens its page --
    from the one grouped scan, and without its index too."""
    conn.execute("UPDATE recommendations SET theme = NULL WHERE rowid = (SELECT min(rowid) FROM recommendations)")
    conn.execute("UPDATE recommendations SET actor_id = NULL WHERE rowid = (SELECT max(rowid) FROM recommendations)")
    rid = conn.execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    conn.execute("INSERT OR IGNORE INTO recommendation_actors (recommendation_id, actor_id, position) "
                 "VALUES (?, 'member-states', 1)", (rid,))
    cases = [(filters, drop) for drop in (False, True)
             for filters in (Filters(), Filters(document="hearing-a"), Filters(status="accepted"),
                             Filters(actor="member-states"))]
    for filters, drop in cases:
        if drop:
            conn.execute(f"DROP INDEX IF EXISTS {browse.GROUPED_INDEX}")
        d = browse.compute_dashboard(conn, filters, "/t", "/c", TODAY, max_bars=max_bars, rec_url="/r/")
        for dimension in browse.DIMENSION_COLUMNS:
            full = browse._rows(conn, browse.status_by_sql(dimension, filters))
            ids = {(r["key"], r["status"]): r["one_id"] for r in full}
            expected, shown = browse.top_keys(full, max_bars)
            got = d["charts"][dimension]
            assert [(r["key"], r["label"], r["status"], r["n"]) for r in got] == [
                (r["key"], r["label"], r["status"], r["n"]) for r in expected]
            assert d["shown"][dimension] == shown
            for r in got:
                if r["n"] == 1:
                    assert r["href"] == "/r/" + ids[(r["key"], r["status"])]


def test_document_choices_are_the_latest_and_the_selected_one(conn):
    all_ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY event_date, id")]
    assert len(all_ids) >= 2
    options = browse.filter_options(conn, max_documents=1)
    assert [o["value"] for o in options["document"]] == all_ids[-1:] and options["documents_total"] == len(all_ids)
    chosen = browse.filter_options(conn, all_ids[0], max_documents=1)
    assert [o["value"] for o in chosen["document"]] == [all_ids[0], all_ids[-1]]
    assert [o["value"] for o in browse.filter_options(conn)["document"]] == all_ids


@pytest.mark.parametrize("limit", [0, 1, 2, 50])
def test_summary_documents_are_the_first_of_every_document_counted(conn, limit):
    """summary.json's documents: counted only for the listed ones, the same as counting them all."""
    for filters in (Filters(), Filters(document="hearing-a"), Filters(status="accepted"), Filters(actor="security-council")):
        every = browse._rows(conn, browse.documents_sql(filters))
        s = browse.compute_summary_json(conn, filters, TODAY, limit)
        assert s["documents"] == every[:limit]
        assert s["counts"]["documents"] == len(every)


def test_grouped_counts_equal_the_queries_they_replace(conn):
    """One scan gives by_status, by_actor and by_theme exactly as their own queries do (order too),
    with further actors, NULL actors and themes, and every filter; without the index, None."""
    conn.execute("UPDATE recommendations SET theme = NULL WHERE rowid = (SELECT min(rowid) FROM recommendations)")
    conn.execute("UPDATE recommendations SET actor_id = NULL WHERE rowid = (SELECT max(rowid) FROM recommendations)")
    rid = conn.execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    conn.execute("INSERT OR IGNORE INTO recommendation_actors (recommendation_id, actor_id, position) "
                 "VALUES (?, 'member-states', 1)", (rid,))
    for filters in (Filters(), Filters(document="hearing-a"), Filters(status="accepted"),
                    Filters(actor="member-states"), Filters(theme="mandates"), Filters(status="dismissed")):
        by_status, by_actor, by_theme = browse.grouped_counts(conn, filters)
        assert by_status == {r["status"]: r["n"] for r in browse._rows(conn, browse.by_status_sql(filters))}
        assert by_actor == browse._rows(conn, browse.by_actor_sql(filters))
        assert by_theme == browse._rows(conn, browse.by_theme_sql(filters))
    with_index = browse.compute_summary_json(conn, Filters(), TODAY)
    conn.execute(f"DROP INDEX {browse.GROUPED_INDEX}")
    assert browse.compute_summary_json(conn, Filters(), TODAY) == with_index  # from recommendation_counts
    for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                   "AND name LIKE 'recommendation_counts%'").fetchall():
        conn.execute(f"DROP TRIGGER {trigger}")  # neither the index nor the kept counts
    assert browse.grouped_counts(conn, Filters()) is None
    assert browse.compute_summary_json(conn, Filters(), TODAY) == with_index


def _recorded_answers(calls: list, cost: float):
    """``answer(value)``: a computation that records ``value`` in ``calls`` and returns it as
    costing ``cost`` seconds."""
    def answer(value):
        async def compute():
            calls.append(value)
            return value, cost
        return compute
    return answer


def test_answer_cache_recomputes_a_slow_question_at_most_every_so_often():
    import asyncio

    from loader.answers import AnswerCache

    now = [100.0]  # the cache's clock, moved by the test: nothing depends on the machine's speed
    cache = AnswerCache(clock=lambda: now[0])
    calls = []
    slow = _recorded_answers(calls, cost=1.0)

    async def scenario():
        assert await cache.get_or_previous("q", 1, slow("a"), 0.5, every=0.2) == ("a", True)
        for _ in range(3):  # within 0.2 s of the last computation: none started
            now[0] += 0.05
            assert await cache.get_or_previous("q", 2, slow("b"), 0.5, every=0.2) == ("a", False)
            await asyncio.sleep(0)
        assert calls == ["a"]
        now[0] += 0.06  # 0.21 s after it
        assert await cache.get_or_previous("q", 2, slow("b"), 0.5, every=0.2) == ("a", False)
        await cache._background["q"]
        assert calls == ["a", "b"]
        assert await cache.get_or_previous("q", 2, slow("x"), 0.5, every=0.2) == ("b", True)

    asyncio.run(scenario())


def test_answer_cache_a_cheap_answer_is_computed_at_most_once_per_every():
    """With ``every``, an answer cheaper than ``previous_after`` is computed in the foreground (its
    request waits for it) but not sooner than ``every`` after the last computation: between them
    the previous state's answer is served, not fresh."""
    from loader.answers import AnswerCache

    now = [100.0]
    cache = AnswerCache(clock=lambda: now[0])
    calls = []
    cheap = _recorded_answers(calls, cost=0.001)

    async def scenario():
        assert await cache.get_or_previous("q", 1, cheap("a"), 0.5, every=0.2) == ("a", True)
        for token in (2, 3, 4):  # writes within 0.2 s of the last computation: none started
            now[0] += 0.05
            assert await cache.get_or_previous("q", token, cheap("b"), 0.5, every=0.2) == ("a", False)
        assert calls == ["a"]
        now[0] += 0.06
        assert await cache.get_or_previous("q", 4, cheap("d"), 0.5, every=0.2) == ("d", True)
        assert await cache.get_or_previous("q", 4, cheap("x"), 0.5, every=0.2) == ("d", True)
        assert await cache.get_or_previous("q", 5, cheap("e"), 0.5, every=0.0) == ("e", True)  # unset: at once
        assert calls == ["a", "d", "e"]

    asyncio.run(scenario())


def test_answer_cache_a_current_answer_pushed_out_of_the_lru_is_still_fresh():
    """The newest answer of a question is kept apart from the LRU of (question, state) answers:
    when other states push it out of the LRU and the state has not changed, it is served as fresh
    and not computed again."""
    import asyncio

    from loader.answers import AnswerCache

    cache = AnswerCache(maxsize=2)

    def answer(value, cost):
        async def compute():
            return value, cost
        return compute

    async def scenario():
        assert await cache.get_or_previous("slow", 1, answer("s1", 1.0), previous_after=0.5) == ("s1", True)
        for state in (1, 2):  # another question's states fill the LRU
            await cache.get_or_previous("cheap", state, answer(f"c{state}", 0.0), previous_after=0.5)
        computed = cache.computed
        assert await cache.get_or_previous("slow", 1, answer("never", 1.0), previous_after=0.5) == ("s1", True)
        assert cache.computed == computed

    asyncio.run(scenario())


def test_answer_cache_a_reader_waits_at_most_wait_for_a_new_state():
    """A cheap question's new state is computed while its reader waits, but at most ``wait``: a
    computation still running then leaves the reader with the previous state's answer (stale), and
    the requests after it get the new one. Without a previous answer the reader waits for it."""
    import asyncio

    from loader.answers import AnswerCache

    cache = AnswerCache()
    release = asyncio.Event()

    def compute(value, blocked=False):
        async def run():
            if blocked:
                await release.wait()  # held until the test lets it finish: no timing involved
            return value, 0.001
        return run

    async def scenario():
        assert await cache.get_or_previous("q", 1, compute("a"), 0.5, wait=0.01) == ("a", True)
        assert await cache.get_or_previous("q", 2, compute("b", blocked=True), 0.5, wait=0.01) == ("a", False)
        assert await cache.get_or_previous("q", 2, compute("x"), 0.5, wait=0.01) == ("a", False)  # still running
        release.set()
        assert await cache.get_or_previous("q", 2, compute("x"), 0.5, wait=None) == ("b", True)
        assert cache.computed == 2
        first = asyncio.Event()

        async def first_answer():
            await first.wait()
            return "c", 0.001

        task = asyncio.ensure_future(cache.get_or_previous("other", 1, first_answer, 0.5, wait=0.01))
        await asyncio.sleep(0.03)
        assert not task.done()  # nothing to fall back on: it waits
        first.set()
        assert await task == ("c", True)

    asyncio.run(scenario())
