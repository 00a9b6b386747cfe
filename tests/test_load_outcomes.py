"""``rectrack load`` on a folder of good, bad and unsupported files: the good ones load, every other
file is named with its reason, the closing summary counts them, and nothing loaded before is lost."""
import sqlite3

from click.testing import CliRunner

from loader.cli import cli
from meeting_files import SRT, TXT, write_pdf


def rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_mixed_folder_loads_the_good_names_the_rest_and_keeps_edits(tmp_path):
    db = tmp_path / "rectrack.db"
    runner = CliRunner()
    # an earlier load, with a person's edit on one recommendation
    first = tmp_path / "earlier"
    first.mkdir()
    (first / "hearing.txt").write_text(TXT, encoding="utf-8")
    assert runner.invoke(cli, ["load", str(first), "--db", str(db)]).exit_code == 0
    rid = rows(db, "SELECT id FROM recommendations WHERE document_id = 'hearing' ORDER BY char_start")[0][0]
    edit = runner.invoke(cli, ["set", rid, "--status", "accepted", "--owner", "Ministry", "--db", str(db)])
    assert edit.exit_code == 0, edit.output

    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.srt").write_text(SRT, encoding="utf-8")
    write_pdf(folder / "sub" / "record.pdf")
    (folder / "latin.txt").write_bytes("Chair: We should reopen the café.\n".encode("cp1252"))
    (folder / "broken.json").write_text('[{"speaker": "A", "text": "x"}, {"text": "y"}]', encoding="utf-8")
    (folder / "nul.txt").write_bytes(b"\x00" * 64)
    (folder / "fake.pdf").write_bytes(b"not a pdf")
    (folder / "budget.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / ".DS_Store").write_bytes(b"\x00")  # hidden: not a document, not listed
    result = runner.invoke(cli, ["load", str(folder), "--db", str(db)])
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    assert "broken.json: [1].speaker: missing" in out
    assert "nul.txt: not text" in out
    assert "fake.pdf: not a readable PDF" in out
    for name, suffix in (("budget.xlsx", ".xlsx"), ("old.doc", ".doc")):
        assert f"Skipped: {folder / name}: unsupported format ({suffix}); rectrack reads .txt, .pdf, .docx" in out
    assert "Warning: " in out and "latin.txt: read as cp1252" in out
    assert ".DS_Store" not in out
    assert "Summary: 3 loaded, 0 unchanged, 2 skipped, 3 failed" in out
    ids = {r[0] for r in rows(db, "SELECT id FROM documents")}
    assert ids == {"hearing", "good", "record", "latin"}
    assert rows(db, "SELECT status, owner FROM recommendations WHERE id = ?", (rid,)) == [("accepted", "Ministry")]
    assert rows(db, "SELECT count(*) FROM status_changes WHERE recommendation_id = ?", (rid,)) == [(1,)]
    # a failed file leaves no rows behind
    assert rows(db, "SELECT count(*) FROM turns WHERE document_id IN ('broken', 'nul', 'fake')") == [(0,)]


def test_a_run_that_loads_nothing_exits_1(tmp_path):
    db = tmp_path / "rectrack.db"
    (tmp_path / "notes.xlsx").write_bytes(b"PK")
    result = CliRunner().invoke(cli, ["load", str(tmp_path / "notes.xlsx"), "--db", str(db)])
    assert result.exit_code == 1
    assert "notes.xlsx: unsupported format (.xlsx); rectrack reads .txt, .pdf, .docx, .vtt, .srt, .json" in result.output
    assert "Summary: 0 loaded, 0 unchanged, 1 skipped, 0 failed" in result.output
    assert "Error: nothing loaded" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["load", str(empty), "--db", str(db)])
    assert result.exit_code == 1
    assert f"Error: nothing loaded: no files in {empty}; rectrack reads .txt" in result.output


def test_two_files_with_one_document_id_in_a_run(tmp_path):
    (tmp_path / "meeting.txt").write_text(TXT, encoding="utf-8")
    (tmp_path / "meeting.srt").write_text(SRT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["load", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "meeting.txt: same document id 'meeting' as" in result.output and "meeting.srt" in result.output
    assert "Summary: 1 loaded, 0 unchanged, 0 skipped, 1 failed" in result.output


def test_encoding_option(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Chair: Grüße. We should fund the Straße project.\n".encode("latin-1"))
    db = tmp_path / "x.db"
    result = CliRunner().invoke(cli, ["load", str(path), "--db", str(db), "--encoding", "latin-1"])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
    assert "Grüße" in rows(db, "SELECT text FROM documents")[0][0]
    bad = CliRunner().invoke(cli, ["load", str(path), "--db", str(db), "--encoding", "klingon"])
    assert bad.exit_code == 1 and "old.txt: unknown encoding 'klingon'" in bad.output


def test_damaged_pdf_is_one_line_without_reader_noise(tmp_path, caplog):
    import logging
    from pathlib import Path

    caplog.set_level(logging.WARNING)
    whole = (Path(__file__).parent / "fixtures" / "un_sc_S-PV.10100.pdf").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(whole[: len(whole) // 2])
    result = CliRunner().invoke(cli, ["load", str(tmp_path / "cut.pdf"), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'cut.pdf'}: not a readable PDF" in result.output
    # pypdf's warnings would reach stderr through logging's last-resort handler
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
