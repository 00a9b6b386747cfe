"""``rectrack load`` stores several documents per transaction (``store.BatchWriter``, a savepoint
each): a document that fails leaves none of its rows and the others of its batch commit; a load
killed mid-batch leaves a consistent database that a rerun completes; an edit made on another
connection during a load survives; and the rows are those of one transaction per document."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from loader import counts, pipeline, store, tracking
from loader.cli import cli
from meeting_files import TXT, VTT
from tests.conftest import SEED_FILE

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpus import make_corpus  # noqa: E402
from load_compare import differences, rows_of  # noqa: E402


def q(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def meeting(i: int) -> str:
    return TXT.replace("Committee on Water Safety", f"Committee {i}").replace("three months", f"{i + 2} months")


def small_folder(path: Path, n: int = 5) -> Path:
    """``n`` short meetings (each its own document), a captions file and the seed transcript."""
    path.mkdir()
    for i in range(n):
        (path / f"meeting_{i}.txt").write_text(meeting(i), encoding="utf-8")
    (path / "captions.vtt").write_text(VTT, encoding="utf-8")
    shutil.copy(SEED_FILE, path / SEED_FILE.name)
    return path


def consistent(db) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert counts.differences(conn) == []
        # every stored document is whole: its stamp, its turns, and no rows of a document not stored
        assert conn.execute("SELECT count(*) FROM documents WHERE lexicon_sha256 IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM documents d WHERE NOT EXISTS "
                            "(SELECT 1 FROM turns t WHERE t.document_id = d.id)").fetchone()[0] == 0
        for table in ("turns", "speakers", "recommendations", "commitments", "notes"):
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE document_id NOT IN "
                                "(SELECT id FROM documents)").fetchone()[0] == 0, table
    finally:
        conn.close()


def test_a_document_failing_in_its_batch_leaves_no_rows_and_the_others_commit(tmp_path):
    folder = small_folder(tmp_path / "in")
    db = tmp_path / "r.db"
    store.connect(db).close()
    # a real failure in the middle of one document's rows: its document, speakers and turns are
    # written when its first recommendation's insert is refused
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TRIGGER refuse BEFORE INSERT ON recommendations WHEN new.document_id = 'meeting_2' "
                       "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;")
    conn.close()
    (folder / "nul.txt").write_bytes(b"\x00" * 64)  # and a file the workers cannot read
    seen = []
    totals, errors = pipeline.load_files(db, [folder], workers=1,
                                         on_progress=lambda t, path, n: seen.append((path, dict(t), n)))
    assert len(errors) == 2 and any("meeting_2" in e and "refused for the test" in e for e in errors), errors
    assert any("nul.txt: not text" in e for e in errors), errors
    files = 5 + 1 + 1 + 1
    assert (totals["loaded"], totals["failed"], totals["unchanged"]) == (files - 2, 2, 0)
    # one progress call per file, once its outcome is final; the last one has the final totals
    assert sorted(str(p) for p, _, _ in seen) == sorted(str(p) for p in folder.iterdir())
    assert [t["loaded"] + t["failed"] for _, t, _ in seen] == list(range(1, files + 1))
    assert seen[-1][1]["loaded"] == files - 2 and {n for _, _, n in seen} == {files}
    ids = {r[0] for r in q(db, "SELECT id FROM documents")}
    assert "meeting_2" not in ids and "nul" not in ids and len(ids) == files - 2
    for table in ("turns", "speakers", "notes", "recommendations", "commitments", "document_locations"):
        assert q(db, f"SELECT count(*) FROM {table} WHERE document_id = 'meeting_2'") == [(0,)], table
    assert q(db, "SELECT count(*) FROM speaker_aliases WHERE speaker_id LIKE 'meeting_2:%'") == [(0,)]
    assert q(db, "SELECT count(*) FROM turns_fts WHERE turns_fts MATCH 'committee' AND rowid IN "
                 "(SELECT rowid FROM turns WHERE document_id = 'meeting_2')") == [(0,)]
    consistent(db)
    # the documents of its batch, before and after it, are all there: the same rows as a load
    # of the same files without the failing one, one transaction per document
    alone = tmp_path / "alone.db"
    (folder / "meeting_2.txt").unlink()
    (folder / "nul.txt").unlink()
    pipeline.load_files(alone, [folder], workers=1, batch_documents=1)
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER refuse")
    conn.commit()
    conn.close()
    assert differences(rows_of(db), rows_of(alone)) == []
    # a rerun redoes only what failed: the committed documents are unchanged
    (folder / "meeting_2.txt").write_text(meeting(2), encoding="utf-8")
    totals, errors = pipeline.load_files(db, [folder], workers=2)
    assert not errors and (totals["loaded"], totals["unchanged"]) == (1, files - 2)


def test_the_cli_summary_and_progress_with_batches(tmp_path):
    folder = small_folder(tmp_path / "in")
    (folder / "nul.txt").write_bytes(b"\x00" * 64)
    db = tmp_path / "r.db"
    result = CliRunner().invoke(cli, ["load", str(folder), "--db", str(db), "--workers", "2"])
    assert result.exit_code == 1
    assert "Summary: 7 loaded, 0 unchanged, 0 skipped, 1 failed" in result.output
    assert "Loading" in result.output  # the bar (not a terminal: its label only; its steps: the test above)
    again = CliRunner().invoke(cli, ["load", str(folder), "--db", str(db), "--workers", "2"])
    assert "Summary: 0 loaded, 7 unchanged, 0 skipped, 1 failed" in again.output
    consistent(db)


def test_batches_store_the_rows_of_one_transaction_per_document(tmp_path):
    """Loads, a person's edits, and reloads of changed and unchanged files: the same rows (rowids and
    full-text index included) with batches of 16 as with one document per transaction."""
    folder = small_folder(tmp_path / "in")
    dbs = {size: tmp_path / f"b{size}.db" for size in (1, 16)}
    for size, db in dbs.items():
        totals, errors = pipeline.load_files(db, [folder], workers=1, batch_documents=size)
        assert not errors and totals["loaded"] == 7
    for db in dbs.values():  # the same edits in both
        conn = store.connect(db)
        rid = conn.execute("SELECT id FROM recommendations WHERE document_id = 'meeting_1' "
                           "ORDER BY char_start").fetchone()[0]
        tracking.update_recommendation(conn, rid, {"status": "accepted", "owner": "Ministry"}, 1, "ana")
        conn.execute("UPDATE actors SET kind = 'person-set' WHERE id = (SELECT min(id) FROM actors)")
        conn.commit()
        conn.close()
    # meeting_1 loses the sentence of the edited recommendation; meeting_3 changes; the rest stay
    gone = "The ministry should publish the test results for every district within 3 months. "
    assert gone in meeting(1)
    (folder / "meeting_1.txt").write_text(meeting(1).replace(gone, ""), encoding="utf-8")
    (folder / "meeting_3.txt").write_text(meeting(3) + "\nChair: The board should report back in May.\n",
                                          encoding="utf-8")
    for size, db in dbs.items():
        totals, errors = pipeline.load_files(db, [folder], workers=1, batch_documents=size)
        assert not errors and (totals["loaded"], totals["unchanged"]) == (2, 5)
        totals, errors = pipeline.load_files(db, [folder], workers=2, batch_documents=size, force=True)
        assert not errors and totals["loaded"] == 7
    assert differences(rows_of(dbs[1]), rows_of(dbs[16])) == []
    assert q(dbs[16], "SELECT status, owner, extracted FROM recommendations WHERE status = 'accepted'") == \
        [("accepted", "Ministry", 0)]
    consistent(dbs[16])


def archive(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "archive"
    make_corpus(folder, n)
    return folder


def run_load(folder, db, *extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "loader", "load", str(folder), "--db", str(db), *extra],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored(db) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.OperationalError:  # not created yet
        return 0
    try:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # no schema yet
        return 0
    finally:
        conn.close()


def locked(db) -> bool:
    """Whether another connection holds the write lock (a load's open batch)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as e:
        assert "locked" in str(e) or "busy" in str(e), e
        return True
    finally:
        conn.close()


def test_a_load_killed_mid_batch_is_consistent_and_a_rerun_completes_it(tmp_path):
    n = 24
    folder = archive(tmp_path, n)
    db = tmp_path / "r.db"
    proc = run_load(folder, db, "--workers", "1")
    deadline = time.monotonic() + 120
    while stored(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # into the next batch: its first documents stored, none committed
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    committed = stored(db)
    assert 0 < committed < n
    consistent(db)
    # a rerun loads what was not committed (nothing is taken for loaded before its commit) ...
    result = CliRunner().invoke(cli, ["load", str(folder), "--db", str(db), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert f"Summary: {n - committed} loaded, {committed} unchanged, 0 skipped, 0 failed" in result.output
    consistent(db)
    # ... and the database is the one an uninterrupted load makes
    whole = tmp_path / "whole.db"
    result = CliRunner().invoke(cli, ["load", str(folder), "--db", str(whole), "--workers", "2"])
    assert f"Summary: {n} loaded, 0 unchanged" in result.output
    assert differences(rows_of(db), rows_of(whole)) == []


def test_an_edit_on_another_connection_during_a_load_survives(tmp_path):
    n = 40  # past one batch (16 documents), however fast the documents are parsed
    folder = archive(tmp_path, n)
    db = tmp_path / "r.db"
    totals, errors = pipeline.load_files(db, [folder], workers=2)
    assert not errors
    last = sorted(folder.iterdir())[-1].stem
    rid, version = q(db, "SELECT id, version FROM recommendations WHERE document_id = ? ORDER BY char_start",
                     (last,))[0]
    speakers_of_last = "SELECT min(rowid) FROM speakers WHERE document_id = ?"  # written again by a reload
    before = q(db, speakers_of_last, (last,))
    # redo every file while another connection changes a status of the last one through the
    # tracking functions: it waits for the open batch's lock, and its document is redone after it
    proc = run_load(folder, db, "--workers", "1", "--force")
    deadline = time.monotonic() + 120
    while not locked(db) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the load ended before its first batch was seen"
    conn = store.connect(db)  # the default busy timeout: it waits for the batch's commit
    try:
        result = tracking.update_recommendation(conn, rid, {"status": "accepted", "owner": "Ministry",
                                                            "note": "during the load"}, version, "ana")
    finally:
        conn.close()
    assert result["changed"]
    assert q(db, speakers_of_last, (last,)) == before  # the edit came before its document was redone
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"Summary: {n} loaded, 0 unchanged" in out
    assert q(db, speakers_of_last, (last,)) != before
    assert q(db, "SELECT status, owner, version FROM recommendations WHERE id = ?", (rid,)) == \
        [("accepted", "Ministry", version + 1)]
    assert q(db, "SELECT to_status, note FROM status_changes WHERE recommendation_id = ?", (rid,)) == \
        [("accepted", "during the load")]
    consistent(db)


def test_a_long_file_is_extracted_after_the_open_batch_commits(tmp_path, monkeypatch):
    """With one process (workers=1) the writer extracts too: before a long file it commits what it
    holds, so the documents before it are loaded (and another connection's edit is not kept
    waiting) while the long one is read. "Long" is LONG_FILE_BYTES; here the second file's size."""
    folder = tmp_path / "archive"
    folder.mkdir()
    short, long_ = folder / "a_short.txt", folder / "b_long.txt"
    short.write_text(meeting(1), encoding="utf-8")
    long_.write_text(meeting(2) * 3, encoding="utf-8")
    db = tmp_path / "r.db"
    seen = {}

    def progress(totals, path, total):
        if path is not None:
            seen[Path(path).name] = q(db, "select count(*) from documents")[0][0]

    monkeypatch.setattr(pipeline, "LONG_FILE_BYTES", long_.stat().st_size)
    totals, errors = pipeline.load_files(db, [short, long_], workers=1, on_progress=progress)
    assert not errors and totals["loaded"] == 2
    assert seen == {"a_short.txt": 1, "b_long.txt": 2}  # the short one committed before the long one was read
    # without the rule both go in one batch: the short one is counted when both are committed
    monkeypatch.setattr(pipeline, "LONG_FILE_BYTES", long_.stat().st_size + 1)
    seen.clear()
    db = tmp_path / "again.db"
    pipeline.load_files(db, [short, long_], workers=1, on_progress=progress)
    assert seen == {"a_short.txt": 2, "b_long.txt": 2}
