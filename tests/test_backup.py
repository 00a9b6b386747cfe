"""`rectrack backup`: SQLite's online backup API, consistent while another connection writes."""
import datetime
import sqlite3
import threading

import pytest
from click.testing import CliRunner

from loader import store, tracking
from loader.backup import BackupError, backup, backup_path
from loader.cli import cli
from tracking_helpers import make_db


def consistency(path) -> tuple[int, int, list]:
    """(recommendations, history rows, rows whose version disagrees with their history)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        bad = conn.execute(
            "SELECT r.id, r.version, count(c.id) FROM recommendations r "
            "LEFT JOIN status_changes c ON c.recommendation_id = r.id GROUP BY r.id "
            "HAVING r.version != 1 + count(c.id)").fetchall()
        recs = conn.execute("SELECT count(*) FROM recommendations").fetchone()[0]
        history = conn.execute("SELECT count(*) FROM status_changes").fetchone()[0]
        return recs, history, bad
    finally:
        conn.close()


def write_notes(path, ids, stop: threading.Event, written: list):
    """Another connection: note after note on every recommendation until told to stop."""
    conn = store.connect(path)
    try:
        while not stop.is_set():
            for rid in ids:
                version = tracking.get_record(conn, rid)["version"]
                tracking.update_recommendation(conn, rid, {"note": f"note {len(written)}"}, version, "writer")
                written.append(rid)
    finally:
        conn.close()


def test_backup_while_another_connection_writes(tmp_path):
    path = tmp_path / "rectrack.db"
    ids = sorted(make_db(path).values())
    stop, written = threading.Event(), []
    writer = threading.Thread(target=write_notes, args=(path, ids, stop, written))
    writer.start()
    copies = []
    try:
        while len(copies) < 15:
            before = len(written)
            result = backup(path, tmp_path / f"copy-{len(copies)}.db")
            copies.append((result, before))
    finally:
        stop.set()
        writer.join(timeout=30)
    assert written, "the writer wrote while the backups ran"
    for result, before in copies:
        recs, history, bad = consistency(result["path"])
        assert recs == len(ids) == result["recommendations"]
        assert bad == []  # every copy is one snapshot: each edit with its history row
        assert history == result["status_changes"] >= before
        conn = sqlite3.connect(result["path"])
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        conn.close()
    assert len({result["status_changes"] for result, _ in copies}) > 1  # the writes went on meanwhile
    assert not list(tmp_path.glob(".*partial*"))


def test_backup_refuses_without_overwriting(tmp_path):
    path = tmp_path / "rectrack.db"
    make_db(path)
    target = tmp_path / "copy.db"
    target.write_text("keep me")
    with pytest.raises(BackupError, match="already exists"):
        backup(path, target)
    assert target.read_text() == "keep me"
    assert backup(path, target, overwrite=True)["recommendations"] == 6
    with pytest.raises(BackupError, match="no such database"):
        backup(tmp_path / "nope.db", tmp_path / "x.db")
    with pytest.raises(BackupError, match="no such folder"):
        backup(path, tmp_path / "missing" / "x.db")
    with pytest.raises(BackupError, match="is the database itself"):
        backup(path, path, overwrite=True)


def test_backup_into_a_folder_is_dated(tmp_path):
    now = datetime.datetime(2026, 12, 1, 23, 5, 9, tzinfo=datetime.timezone.utc)
    assert backup_path("work.db", tmp_path, now) == tmp_path / "work-20261201-230509.db"
    assert backup_path("work.db", tmp_path / "a.db", now) == tmp_path / "a.db"


def test_cli_backup(tmp_path):
    path = tmp_path / "rectrack.db"
    make_db(path)
    runner = CliRunner()
    r = runner.invoke(cli, ["backup", str(tmp_path / "b.db"), "--db", str(path)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Backed up {path} -> {tmp_path / 'b.db'} (") and "6 recommendations" in r.output
    again = runner.invoke(cli, ["backup", str(tmp_path / "b.db"), "--db", str(path)])
    assert again.exit_code == 1 and again.output.strip() == f"Error: {tmp_path / 'b.db'}: already exists (use --force to overwrite)"
    assert runner.invoke(cli, ["backup", str(tmp_path / "b.db"), "--force", "--db", str(path)]).exit_code == 0
    help_text = runner.invoke(cli, ["backup", "--help"]).output
    assert "Example:" in help_text and "rectrack backup backups/" in help_text
