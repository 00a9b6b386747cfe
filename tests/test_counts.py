"""recommendation_counts (loader.counts): kept exact by triggers through every kind of write --
loads, reloads (changed and shifted), tracking edits, corrections, manual additions, deletes, SQL
by hand -- compared each time with a fresh count of the recommendations themselves."""
import shutil
import sqlite3

import pytest

from loader import browse, counts, review, store, tracking
from test_review import MANUAL_QUOTE, apply_all_corrections, conn, reloaded  # noqa: F401 (conn: a fixture)
from tracking_helpers import build_document, make_recs


def exact(conn):
    assert counts.differences(conn) == []
    fresh = conn.execute("SELECT count(*) FROM recommendations").fetchone()[0]
    kept = conn.execute("SELECT sum(n) FROM recommendation_counts WHERE facet = '*'").fetchone()[0]
    assert kept == fresh
    for facet in counts.DIMENSIONS:  # every row is counted once per column
        assert conn.execute("SELECT sum(n) FROM recommendation_counts WHERE facet = ?", (facet,)).fetchone()[0] == fresh


def edit(conn, rid, changes, who="ana"):
    version = tracking.get_record(conn, rid)["version"]
    return review.update_item(conn, rid, changes, version, who)


def test_a_load_is_counted(conn):
    assert conn.execute("SELECT count(*) FROM recommendations").fetchone()[0] == 6
    exact(conn)
    by_status = dict(conn.execute("SELECT status, n FROM recommendation_counts WHERE facet = '*'"))
    assert by_status == {"proposed": 6}


def test_status_and_due_date_edits_move_counts(conn):
    rid = conn.execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    edit(conn, rid, {"status": "accepted", "due_date": "2026-01-31", "priority": "high"})
    exact(conn)
    assert conn.execute("SELECT n FROM recommendation_counts WHERE facet = 'due_date' AND value = '2026-01-31' "
                        "AND status = 'accepted'").fetchone()[0] == 1
    edit(conn, rid, {"status": "in_progress", "due_date": None})
    exact(conn)
    assert conn.execute("SELECT count(*) FROM recommendation_counts WHERE status = 'accepted'").fetchone()[0] == 0


def test_an_edit_that_moves_no_count_writes_no_count(conn):
    rid = conn.execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    before = conn.execute("SELECT * FROM recommendation_counts ORDER BY 1, 2, 3, 4").fetchall()
    changes = conn.total_changes
    edit(conn, rid, {"priority": "high", "owner": "Ana", "note": "follow up"})
    # the recommendation and its history row: nothing in the counts
    assert conn.total_changes - changes == 2
    assert conn.execute("SELECT * FROM recommendation_counts ORDER BY 1, 2, 3, 4").fetchall() == before


def totals_written(conn, fn) -> int:
    """How many rows of recommendation_totals ``fn()`` inserts, updates or deletes (temp triggers)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS totals_log (what TEXT)")
    conn.execute("DELETE FROM totals_log")
    for event in ("INSERT", "UPDATE", "DELETE"):
        conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS totals_log_{event} AFTER {event} ON main.recommendation_totals "
                     f"BEGIN INSERT INTO totals_log VALUES ('{event}'); END")
    fn()
    return conn.execute("SELECT count(*) FROM totals_log").fetchone()[0]


def test_a_status_change_between_counted_statuses_leaves_the_totals_unwritten(conn):
    rid = conn.execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    assert totals_written(conn, lambda: edit(conn, rid, {"status": "accepted"})) == 0
    exact(conn)
    assert totals_written(conn, lambda: edit(conn, rid, {"status": "in_progress", "priority": "high"})) == 0
    exact(conn)
    # leaving what summary.json counts moves the "counted" totals (speaker, document, actor), not "all"
    assert totals_written(conn, lambda: edit(conn, rid, {"status": "dismissed"})) > 0
    exact(conn)
    assert totals_written(conn, lambda: edit(conn, rid, {"status": "proposed"})) > 0
    exact(conn)
    other = conn.execute("SELECT speaker_id FROM recommendations WHERE speaker_id IS NOT (SELECT speaker_id FROM "
                         "recommendations WHERE id = :rid) LIMIT 1", {"rid": rid}).fetchone()[0]
    assert totals_written(conn, lambda: conn.execute(
        "UPDATE recommendations SET speaker_id = ?, status = 'accepted' WHERE id = ?", (other, rid))) > 0
    exact(conn)


def counts_written(conn, fn) -> list[tuple]:
    """``(facet, event)`` of each row of recommendation_counts ``fn()`` inserts, updates or deletes."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS counts_log (facet TEXT, what TEXT)")
    conn.execute("DELETE FROM counts_log")
    for event, row in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
        conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS counts_log_{event} AFTER {event} ON main.recommendation_counts "
                     f"BEGIN INSERT INTO counts_log VALUES ({row}.facet, '{event}'); END")
    fn()
    return sorted(tuple(row) for row in conn.execute("SELECT facet, what FROM counts_log"))


def test_an_update_writes_the_counts_of_the_facets_it_moves_only(conn):
    rid = conn.execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    # a new due date: one count less under the old date, one more under the new one (a new key)
    assert counts_written(conn, lambda: edit(conn, rid, {"due_date": "2026-02-01"})) == [
        ("due_date", "INSERT"), ("due_date", "UPDATE")]
    exact(conn)
    # a status change moves every facet: each row's old key once less, its new key once more;
    # the due date's old key reached 0 and is deleted
    written = counts_written(conn, lambda: edit(conn, rid, {"status": "accepted"}))
    assert {facet for facet, _ in written} == {counts.ALL, *counts.DIMENSIONS}
    assert ("due_date", "DELETE") in written
    exact(conn)
    assert counts_written(conn, lambda: conn.execute(
        "UPDATE recommendations SET owner = 'x', status = status WHERE id = ?", (rid,))) == []


def test_one_counting_trigger_per_row_event():
    on_recommendations = [name for name, sql in counts.trigger_sql().items()
                          if " ON recommendations " in sql and "_gen_" not in name]
    assert on_recommendations == ["recommendation_counts_ai", "recommendation_counts_ad", "recommendation_counts_au"]


def test_corrections_and_a_manual_addition(conn):
    apply_all_corrections(conn)  # actors, theme, strength, span, kind, reviewed, one added by hand
    exact(conn)
    assert conn.execute("SELECT n FROM recommendation_counts WHERE facet = '*' AND kind = 'commitment'").fetchone()[0] == 1


@pytest.mark.parametrize("reload", ["same file", "shifted offsets", "changed lexicon"])
def test_reloads(conn, reload):
    apply_all_corrections(conn)
    doc, specs = reloaded(reload)
    store.store_document(conn, doc, make_recs(doc, specs), [])
    exact(conn)


def test_a_reload_that_drops_recommendations_uncounts_them(conn):
    doc = build_document()
    store.store_document(conn, doc, make_recs(doc)[:2], [])
    assert conn.execute("SELECT count(*) FROM recommendations").fetchone()[0] == 2
    exact(conn)


def test_sql_by_hand(conn):
    with conn:
        conn.execute("UPDATE recommendations SET theme = NULL, actor_id = 'someone' WHERE rowid % 2 = 0")
        conn.execute("UPDATE recommendations SET status = 'dismissed' WHERE rowid = 1")
        conn.execute("DELETE FROM recommendations WHERE rowid = 3")
        conn.execute("INSERT INTO recommendations (id, document_id, text, theme) VALUES ('x1', 'meeting', 'x', 'extra')")
    exact(conn)
    assert conn.execute("SELECT n FROM recommendation_counts WHERE facet = 'theme' AND value IS NULL "
                        "AND status = 'proposed'").fetchone()[0] >= 1


def test_a_rolled_back_write_leaves_the_counts(conn):
    before = conn.execute("SELECT * FROM recommendation_counts ORDER BY 1, 2, 3, 4").fetchall()
    with pytest.raises(sqlite3.IntegrityError):
        with conn:
            conn.execute("UPDATE recommendations SET status = 'declined'")
            conn.execute("INSERT INTO recommendations (id) SELECT id FROM recommendations LIMIT 1")  # duplicate id
    assert conn.execute("SELECT * FROM recommendation_counts ORDER BY 1, 2, 3, 4").fetchall() == before
    exact(conn)


def test_an_older_database_is_counted_once_when_opened(tmp_path, conn):
    path = tmp_path / "rectrack.db"
    for name, in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                              "AND name LIKE 'recommendation_counts%'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE recommendation_counts")
    conn.commit()
    with conn:
        conn.execute("UPDATE recommendations SET status = 'accepted' WHERE rowid = 2")
    conn.close()
    again = store.connect(path)
    assert counts.installed(again)
    exact(again)
    assert dict(again.execute("SELECT status, n FROM recommendation_counts WHERE facet = '*'")) == {
        "proposed": 5, "accepted": 1}
    again.close()


# What an older version installed: a trigger per counted column and event (this one: the theme's).
OLDER_TRIGGER = """CREATE TRIGGER recommendation_counts_au_theme AFTER UPDATE OF status, kind, theme ON recommendations
WHEN old."status" IS NOT new."status" OR old."kind" IS NOT new."kind" OR old."theme" IS NOT new."theme" BEGIN
  UPDATE recommendation_counts SET n = n - 1 WHERE facet = 'theme' AND ifnull(value, x'00') = ifnull(old."theme", x'00')
    AND status = old.status AND kind = old.kind;
  DELETE FROM recommendation_counts WHERE facet = 'theme' AND ifnull(value, x'00') = ifnull(old."theme", x'00')
    AND status = old.status AND kind = old.kind AND n <= 0;
  INSERT INTO recommendation_counts (facet, value, status, kind, n) SELECT 'theme', new."theme", new.status, new.kind, 1
    WHERE 1 ON CONFLICT (facet, ifnull(value, x'00'), status, kind) DO UPDATE SET n = n + 1;
END"""


def test_a_database_with_an_older_versions_triggers_gets_these_when_opened(tmp_path, conn):
    conn.execute("DROP TRIGGER recommendation_counts_au")
    conn.execute(OLDER_TRIGGER)
    for index in ("idx_recommendation_counts_spent", "idx_recommendation_totals_spent"):
        conn.execute(f"DROP INDEX {index}")
    conn.commit()
    with conn:  # under the older trigger only the theme's counts follow: the others are off now
        conn.execute("UPDATE recommendations SET status = 'accepted' WHERE rowid = 2")
    assert counts.differences(conn) != []
    conn.close()
    again = store.connect(tmp_path / "rectrack.db")
    assert counts.installed(again)
    names = {r[0] for r in again.execute("SELECT name FROM sqlite_master")}
    assert "recommendation_counts_au_theme" not in names
    assert {"recommendation_counts_au", "idx_recommendation_counts_spent", "idx_recommendation_totals_spent"} <= names
    exact(again)  # counted again from the rows
    edit(again, again.execute("SELECT id FROM recommendations WHERE rowid = 3").fetchone()[0],
         {"status": "declined", "due_date": "2026-03-01"})
    exact(again)
    again.close()


def test_opening_an_up_to_date_database_writes_nothing(tmp_path, conn):
    conn.close()
    path = tmp_path / "rectrack.db"
    version = sqlite3.connect(path)
    before = version.execute("PRAGMA data_version").fetchone()[0]
    store.connect(path).close()
    assert version.execute("PRAGMA data_version").fetchone()[0] == before
    version.close()


def test_seed_database_counts(seed_db):
    c = store.connect(seed_db)
    exact(c)
    rid = c.execute("SELECT id FROM recommendations LIMIT 1").fetchone()[0]
    version = tracking.get_record(c, rid)["version"]
    tracking.update_recommendation(c, rid, {"status": "dismissed"}, version, "ana")
    review.create_item(c, {"document_id": c.execute("SELECT id FROM documents").fetchone()[0],
                           "quote": c.execute("SELECT substr(text, 1, 60) FROM turns WHERE seq = 3").fetchone()[0]},
                       "ana")
    exact(c)
    c.close()


def test_a_manual_addition_is_counted_under_its_theme(conn):
    # the manual addition of test_review is found by its quote: counted once, under its theme
    review.create_item(conn, {"document_id": "meeting", "quote": MANUAL_QUOTE, "theme": "agenda"}, "ana")
    exact(conn)
    assert conn.execute("SELECT n FROM recommendation_counts WHERE facet = 'theme' AND value = 'agenda'").fetchone()[0] == 1


def _without_triggers(conn, src, dst):
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every commit in the file copied
    shutil.copy(src, dst)
    c = sqlite3.connect(dst)
    for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                             "AND name LIKE 'recommendation_counts%'").fetchall():
        c.execute(f"DROP TRIGGER {name}")
    c.commit()
    return c


@pytest.mark.parametrize("limit", [50, 3, 0])
def test_summary_from_the_counts_is_the_summary_from_the_rows(seed_db, tmp_path, limit):
    c = sqlite3.connect(seed_db)
    with c:
        c.execute("UPDATE recommendations SET status = 'accepted', due_date = '2026-01-0' || (rowid % 9) "
                  "WHERE rowid % 3 = 0")
        c.execute("UPDATE recommendations SET status = 'dismissed', due_date = '2020-01-01' WHERE rowid % 7 = 0")
        c.execute("UPDATE recommendations SET status = 'implemented', due_date = '2019-05-05' WHERE rowid % 11 = 0")
        c.execute("UPDATE recommendations SET kind = 'commitment' WHERE rowid % 13 = 0")
        c.execute("UPDATE recommendations SET speaker_id = NULL, theme = NULL, due_date = '' WHERE rowid % 17 = 0")
    assert counts.installed(c) and counts.differences(c) == []
    stock = _without_triggers(c, seed_db, tmp_path / "stock.db")
    assert not counts.installed(stock)
    for today in ("2026-01-05", "2030-01-01"):
        ours = browse.compute_summary_json(c, browse.Filters(), today, limit)
        theirs = browse.compute_summary_json(stock, browse.Filters(), today, limit)
        assert ours == theirs
        assert ours["overdue"] > 0 and ours["by_speaker"] or limit == 0
    filtered = browse.Filters(status="accepted")
    assert browse.compute_summary_json(c, filtered, "2026-01-05", limit) == browse.compute_summary_json(
        stock, filtered, "2026-01-05", limit)
    c.close()
    stock.close()


def test_the_statuses_and_kinds_summary_json_leaves_out_are_the_trackers():
    assert (counts.HIDDEN,) == tracking.HIDDEN_STATUSES
    assert counts.NOT_COUNTED_KIND in review.KINDS


def test_two_connections_upgrading_an_older_database_at_once(tmp_path, conn):
    """Two processes open an older database together: the second one to get the write lock finds
    the triggers the first one made (it drops and creates what is there then, not what it saw)."""
    path = tmp_path / "rectrack.db"
    for name, in conn.execute(counts.INSTALLED_SQL.replace("name, sql", "name")).fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.commit()
    conn.close()
    first, second = sqlite3.connect(path, timeout=5), sqlite3.connect(path, timeout=5)

    def other_upgrades_first(statement):
        if statement.strip().upper().startswith("BEGIN IMMEDIATE"):
            first.set_trace_callback(None)
            counts.ensure_counts(second)  # it read the triggers before the other one made them

    first.set_trace_callback(other_upgrades_first)
    counts.ensure_counts(first)
    assert counts.installed(first) and counts.installed(second)
    exact(first)
    first.close()
    second.close()


def test_a_users_trigger_of_a_similar_name_is_left_alone(tmp_path, conn):
    conn.execute("CREATE TABLE audit (id TEXT)")
    for name in ("Recommendation_counts_mine", "recommendation_countsXai"):
        conn.execute(f"CREATE TRIGGER {name} AFTER INSERT ON recommendations BEGIN "
                     "INSERT INTO audit VALUES (new.id); END")
    conn.commit()
    conn.close()
    again = store.connect(tmp_path / "rectrack.db")  # ensure_counts runs on opening
    names = {r[0] for r in again.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"Recommendation_counts_mine", "recommendation_countsXai"} <= names
    exact(again)
    again.close()
