import sqlite3

from click.testing import CliRunner

from loader.cli import cli
from tests.conftest import SEED_FILE
from tracking_helpers import rows


def test_document_text_is_file_content(seed_db_session):
    (doc,) = rows(seed_db_session, "select * from documents")
    assert doc["text"] == SEED_FILE.read_bytes().decode("utf-8").lstrip("\ufeff")
    assert doc["id"] == "000_59fee67576fde5b5"


def test_turn_offsets_cover_turn_text(seed_db_session):
    (doc,) = rows(seed_db_session, "select text from documents")
    turns = rows(seed_db_session, "select * from turns order by seq")
    assert turns
    for t in turns:
        span = doc["text"][t["char_start"]:t["char_end"]]
        assert t["text"].strip() and t["text"].split()[0] in span
        if t["label"]:
            assert span.startswith(t["label"])


def test_recommendation_offsets_exact(seed_db_session):
    (doc,) = rows(seed_db_session, "select text from documents")
    for r in rows(seed_db_session, "select * from recommendations"):
        assert doc["text"][r["char_start"]:r["char_end"]] == r["text"]
    for c in rows(seed_db_session, "select * from commitments"):
        assert doc["text"][c["char_start"]:c["char_end"]] == c["text"]


def test_reload_is_idempotent(tmp_path):
    db = tmp_path / "rectrack.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["load", str(SEED_FILE), "--db", str(db)])
    assert first.exit_code == 0, first.output
    counts = {t: rows(db, f"select count(*) n from {t}")[0]["n"]
              for t in ("documents", "speakers", "speaker_aliases", "turns", "recommendations", "commitments", "notes")}
    ids = rows(db, "select id from recommendations order by id")
    second = runner.invoke(cli, ["load", str(SEED_FILE), "--db", str(db)])
    assert second.exit_code == 0, second.output
    assert counts == {t: rows(db, f"select count(*) n from {t}")[0]["n"] for t in counts}
    assert ids == rows(db, "select id from recommendations order by id")
    assert counts["documents"] == 1 and counts["turns"] > 0


def test_schema_wal_and_fts(seed_db_session):
    conn = sqlite3.connect(seed_db_session)
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"documents", "speakers", "speaker_aliases", "turns", "recommendations", "actors",
            "commitments", "status_changes", "notes", "turns_fts", "recommendations_fts"} <= tables
    fks = {(r[2], r[3]) for r in conn.execute("pragma foreign_key_list(recommendations)")}
    assert ("documents", "document_id") in fks and ("actors", "actor_id") in fks
    hits = conn.execute("select count(*) from turns_fts where turns_fts match 'civilians'").fetchone()[0]
    assert hits > 10


def test_bad_file_gives_one_line_error_and_keeps_others(tmp_path):
    db = tmp_path / "rectrack.db"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 40)
    runner = CliRunner()
    result = runner.invoke(cli, ["load", str(SEED_FILE), str(bad), "--db", str(db)])
    assert result.exit_code == 1
    assert "bad.txt: not text" in result.output
    assert "Traceback" not in result.output
    assert rows(db, "select count(*) n from documents")[0]["n"] == 1


def test_missing_path_is_clear(tmp_path):
    result = CliRunner().invoke(cli, ["load", str(tmp_path / "nope.txt"), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "nope.txt: no such file or folder" in result.output


def test_failed_store_leaves_the_previous_version_whole(tmp_path):
    """A document that fails half-way (here: two turns with the same seq) rolls back entirely."""
    import copy

    import pytest

    from loader import store
    from loader.pipeline import process_source
    from loader.read import read_source

    db = tmp_path / "rectrack.db"
    conn = store.connect(db)
    doc, recs, coms = process_source(read_source(SEED_FILE))
    store.store_document(conn, doc, recs, coms)
    tables = ("documents", "speakers", "speaker_aliases", "turns", "recommendations", "commitments", "notes")
    before = {t: conn.execute(f"select * from {t} order by 1, 2").fetchall() for t in tables}
    broken = copy.deepcopy(doc)
    broken.turns[5].seq = broken.turns[4].seq  # duplicate turn id -> IntegrityError mid-way
    with pytest.raises(sqlite3.IntegrityError):
        store.store_document(conn, broken, recs, coms)
    after = {t: conn.execute(f"select * from {t} order by 1, 2").fetchall() for t in tables}
    conn.close()
    assert after == before


def test_opening_an_up_to_date_database_writes_nothing(tmp_path):
    """Another connection (the server's caches key on PRAGMA data_version) sees no change when a
    command opens the database: no view is dropped and made again, no lock is taken."""
    from loader import store

    path = tmp_path / "r.db"
    store.connect(path).close()
    watcher = sqlite3.connect(path)
    before = watcher.execute("PRAGMA data_version").fetchone()[0], watcher.execute("PRAGMA schema_version").fetchone()[0]
    store.connect(path).close()
    after = watcher.execute("PRAGMA data_version").fetchone()[0], watcher.execute("PRAGMA schema_version").fetchone()[0]
    assert after == before


def test_a_view_from_an_older_version_is_made_again(tmp_path):
    from loader import store

    path = tmp_path / "r.db"
    conn = store.connect(path)
    conn.executescript("DROP VIEW recommendations_by_actor; CREATE VIEW recommendations_by_actor AS "
                       "SELECT ra.actor_id AS actor_id FROM recommendation_actors ra;")
    conn.close()
    conn = store.connect(path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(recommendations_by_actor)")]
    conn.close()
    assert "actor_group" in columns and "recommendation_id" in columns
