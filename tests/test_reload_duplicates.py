"""Reloads of a transcript in which the same sentence is spoken twice.

Every stored row keeps its own turn, offsets and human fields: matching existing rows to newly
extracted ones is one-to-one, also when several new rows have the same words (and so the same
text-derived id). Runs the real pipeline through the CLI.
"""
import re
import sqlite3

import pytest
from click.testing import CliRunner

from loader import tracking
from loader.cli import cli

REPEATED = "The Ministry should publish the audit every year."
TRANSCRIPT = f"""Committee hearing

Monday, 2 March 2026

Ms. Alice Smith: Thank you. {REPEATED} We also think the Council should fund more inspectors.

Mr. Bob Jones: I agree. {REPEATED}
"""


def rows(db):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(
            "select id, turn_id, char_start, char_end, text, status, owner, extracted from recommendations "
            "order by char_start")]
    finally:
        conn.close()


def doc_text(db):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select text from documents").fetchone()[0]
    finally:
        conn.close()


def load(runner, path, db):
    result = runner.invoke(cli, ["load", str(path), "--db", str(db), "--force"])  # the reload path, even unchanged
    assert result.exit_code == 0, result.output
    return result.output


def edit(db, rid, **changes):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        version = tracking.get_record(conn, rid)["version"]
        tracking.update_recommendation(conn, rid, changes, version, "clerk")
    finally:
        conn.close()


@pytest.fixture
def loaded(tmp_path):
    """The transcript loaded, each of its three recommendations given its own status."""
    path = tmp_path / "hearing.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    db = tmp_path / "rectrack.db"
    runner = CliRunner()
    load(runner, path, db)
    before = rows(db)
    assert [r["text"] for r in before] == [REPEATED, "We also think the Council should fund more inspectors.",
                                           REPEATED]
    assert [r["turn_id"] for r in before] == ["hearing:1", "hearing:1", "hearing:2"]
    for row, status in zip(before, ["accepted", "declined", "in_progress"]):
        edit(db, row["id"], status=status, owner=f"owner of {row['char_start']}")
    return runner, path, db, rows(db)


def test_unchanged_reload_keeps_all_three_on_their_own_turns(loaded):
    runner, path, db, before = loaded
    output = load(runner, path, db)
    after = rows(db)
    assert after == before
    assert "3 recommendations" in output
    assert sum(r["extracted"] for r in after) == 3


def test_edit_of_the_second_occurrence_keeps_each_status_on_its_turn(loaded):
    runner, path, db, before = loaded
    corrected = REPEATED.replace("every year", "every single year")
    text = TRANSCRIPT[::-1].replace(REPEATED[::-1], corrected[::-1], 1)[::-1]  # the last occurrence
    path.write_text("Committee hearing (corrected)\n" + text.split("\n", 1)[1], encoding="utf-8")
    load(runner, path, db)
    after = rows(db)
    assert len(after) == 3 and all(r["extracted"] == 1 for r in after)
    by_id = {r["id"]: r for r in after}
    for old in before:
        new = by_id[old["id"]]
        assert (new["turn_id"], new["status"], new["owner"]) == (old["turn_id"], old["status"], old["owner"])
    assert by_id[before[2]["id"]]["text"] == corrected
    assert by_id[before[0]["id"]]["text"] == REPEATED
    full = doc_text(db)
    assert all(full[r["char_start"]:r["char_end"]] == r["text"] for r in after)


def test_reload_after_a_turn_is_inserted_before_the_repeat(loaded):
    """A new turn between the two occurrences shifts the second one and its turn number."""
    runner, path, db, before = loaded
    path.write_text(TRANSCRIPT.replace("Mr. Bob Jones:", "Ms. Carol White: A short remark.\n\nMr. Bob Jones:"),
                    encoding="utf-8")
    load(runner, path, db)
    by_id = {r["id"]: r for r in rows(db)}
    assert [by_id[r["id"]]["turn_id"] for r in before] == ["hearing:1", "hearing:1", "hearing:3"]
    assert [by_id[r["id"]]["status"] for r in before] == [r["status"] for r in before]


def test_printed_counts_equal_stored_rows(tmp_path):
    """The same sentence many times: the CLI prints what the database holds, after every reload."""
    body = "\n\n".join(f"Ms. Alice Smith: Item {n}. {REPEATED}" for n in range(1, 41))
    path = tmp_path / "many.txt"
    path.write_text("Many repeats\n\nMonday, 2 March 2026\n\n" + body + "\n", encoding="utf-8")
    db = tmp_path / "rectrack.db"
    runner = CliRunner()
    for _ in range(3):
        output = load(runner, path, db)
        printed = int(re.search(r"(\d+) recommendations", output).group(1))
        stored = rows(db)
        assert printed == len(stored) == 40
        assert len({r["turn_id"] for r in stored}) == 40
