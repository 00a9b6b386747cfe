"""Undecodable command-line input: a one-line error naming the argument, never a traceback."""
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from loader.cli import cli
from tracking_helpers import make_db, rows

XFF = b"\xff".decode("utf-8", "surrogateescape")  # what Python makes of $'\xff' in argv


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "rectrack.db"
    ids = make_db(path)
    return path, sorted(ids.values())[0]


@pytest.mark.parametrize("args, name", [
    (["--owner", XFF], "--owner"),
    (["--note", "ok" + XFF], "--note"),
    (["--follow-up", XFF, "--owner", "Ana"], "--follow-up"),
    (["--status", XFF], "--status"),
    (["--owner", "Ana", "--as", XFF], "--as"),
])
def test_set_with_undecodable_option(db, args, name):
    path, rid = db
    r = CliRunner().invoke(cli, ["set", rid, *args, "--db", str(path)])
    assert r.exit_code == 1, r.output
    assert r.output.strip() == f"Error: {name}: not valid text (undecodable bytes or a lone surrogate; use UTF-8)"
    assert rows(path, "select count(*) as n from status_changes") == [{"n": 0}]


def test_set_with_undecodable_id(db):
    path, _ = db
    r = CliRunner().invoke(cli, ["set", "r" + XFF, "--owner", "Ana", "--db", str(path)])
    assert r.exit_code == 1 and r.output.startswith("Error: ID: not valid text")
    assert "Traceback" not in r.output


def test_set_with_raw_bytes_in_argv(db):
    """The real thing: bytes that are not UTF-8 in the process's arguments."""
    path, rid = db
    proc = subprocess.run([sys.executable.encode(), b"-m", b"loader", b"set", rid.encode(), b"--owner", b"\xff",
                           b"--db", os.fsencode(path)], capture_output=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert proc.returncode == 1
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and err.strip().splitlines() == [
        "Error: --owner: not valid text (undecodable bytes or a lone surrogate; use UTF-8)"]


def test_load_a_file_whose_name_is_not_utf8(tmp_path):
    """The document loads; its source_path shows the undecodable byte as U+FFFD."""
    folder = os.fsencode(tmp_path)
    with open(folder + b"/hearing-\xff.txt", "wb") as f:
        f.write(b"The Chair: Welcome. The Council should act now.\n")
    path = tmp_path / "rectrack.db"
    r = CliRunner().invoke(cli, ["load", os.fsdecode(folder + b"/hearing-\xff.txt"), "--db", str(path)])
    assert r.exit_code == 0, r.output
    (doc,) = rows(path, "select id, source_path from documents")
    assert doc == {"id": "hearing", "source_path": str(tmp_path / "hearing-\ufffd.txt")}


@pytest.mark.parametrize("command", [["load", "{seed}"], ["set", "r1", "--owner", "Ana"], ["serve", "--port", "1"]])
@pytest.mark.parametrize("bad_db", ["not-a-database.txt", "missing-folder/rectrack.db"])
def test_a_db_that_cannot_be_opened_is_one_line(tmp_path, command, bad_db):
    (tmp_path / "not-a-database.txt").write_text("hello, not SQLite " * 100)
    seed = tmp_path / "seed.txt"
    seed.write_text("The Chair: The Council should act now.\n")
    db = tmp_path / bad_db
    args = [a.format(seed=seed) for a in command] + ["--db", str(db)]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 1, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: {db}: ") and "Traceback" not in r.output
    assert "cannot open as a rectrack database (" in last or last.endswith("no such database")


def test_set_on_a_locked_database_is_one_line(tmp_path):
    """Another process holds the write lock (a long load): one line, nothing written, no traceback."""
    import sqlite3

    from click.testing import CliRunner

    from loader.cli import cli
    from tracking_helpers import make_db

    path = tmp_path / "rectrack.db"
    ids = make_db(path)
    rid = next(iter(ids.values()))
    locker = sqlite3.connect(path, isolation_level=None, timeout=0)
    locker.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(cli, ["set", rid, "--status", "accepted", "--db", str(path)],
                                    env={"RECTRACK_BUSY_TIMEOUT": "0.2"})
    finally:
        locker.rollback()
        locker.close()
    assert result.exit_code == 1
    assert "another process is writing" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
