"""rectrack load at scale: unchanged files are skipped (until --force or another lexicon), a pool
of workers stores the same rows as one process, and the summary counts loaded / unchanged /
failed."""
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from loader import pipeline, store
from loader.cli import cli

HELDOUT = Path(__file__).parent / "fixtures" / "heldout"
FILES = ("canada_covid_3_excerpt.txt", "us_debate_2020_rev_excerpt.txt", "un_ga_pypdf_twocolumn_variant.txt")


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "archive"
    d.mkdir()
    for name in FILES:
        shutil.copy(HELDOUT / name, d / name)
    return d


def load(*args):
    result = CliRunner().invoke(cli, ["load", *map(str, args)])
    return result


def rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def stamps(db):
    return dict(rows(db, "select id, loaded_at || '|' || sha256 || '|' || lexicon_sha256 from documents"))


def test_unchanged_reload_is_skipped_and_force_redoes_it(folder, tmp_path):
    db = tmp_path / "r.db"
    first = load(folder, "--db", db, "--workers", "1")
    assert first.exit_code == 0, first.output
    assert "3 loaded, 0 unchanged, 0 skipped, 0 failed" in first.output
    before = stamps(db)
    assert len(before) == 3 and all(v.count("|") == 2 and "None" not in v for v in before.values())
    store.connect(db).execute("update documents set loaded_at = 'then'").connection.commit()
    again = load(folder, "--db", db)
    assert again.exit_code == 0, again.output
    assert "0 loaded, 3 unchanged, 0 skipped, 0 failed" in again.output
    assert {v.split("|")[0] for v in stamps(db).values()} == {"then"}  # nothing was rewritten
    forced = load(folder, "--db", db, "--force", "--workers", "1")
    assert "3 loaded, 0 unchanged" in forced.output
    assert "then" not in {v.split("|")[0] for v in stamps(db).values()}


def test_a_library_load_is_unchanged_for_the_command(folder, tmp_path):
    """load_files without a context and `rectrack load` without --forum/--addressee are the same
    run: the command skips what the library loaded."""
    db = tmp_path / "r.db"
    totals, _ = pipeline.load_files(db, sorted(folder.iterdir()), workers=1)
    assert totals["loaded"] == 3
    again = load(folder, "--db", db, "--workers", "1")
    assert again.exit_code == 0, again.output
    assert "0 loaded, 3 unchanged" in again.output
    with_forum = load(folder, "--db", db, "--workers", "1", "--forum", "Security Council")
    assert "3 loaded, 0 unchanged" in with_forum.output


def test_a_changed_file_or_lexicon_is_redone(folder, tmp_path):
    db = tmp_path / "r.db"
    assert load(folder, "--db", db, "--workers", "1").exit_code == 0
    changed = folder / FILES[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nThe Government must publish the data.\n",
                       encoding="utf-8")
    result = load(folder, "--db", db, "--workers", "1")
    assert "1 loaded, 2 unchanged, 0 skipped, 0 failed" in result.output
    extra = tmp_path / "extra.yml"
    extra.write_text("themes:\n  pipeline test theme: [debate]\n", encoding="utf-8")
    result = load(folder, "--db", db, "--workers", "1", "--lexicon", extra)
    assert "3 loaded, 0 unchanged" in result.output
    result = load(folder, "--db", db, "--lexicon", extra)
    assert "0 loaded, 3 unchanged" in result.output


def test_a_pool_stores_the_same_rows_as_one_process(folder, tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    assert load(folder, "--db", one, "--workers", "1").exit_code == 0
    result = load(folder, "--db", two, "--workers", "2")
    assert result.exit_code == 0, result.output
    for table in ("documents", "turns", "speakers", "recommendations", "commitments", "notes"):
        cols = "*" if table != "documents" else "id, title, event_date, venue, sha256, text, lexicon_sha256"
        sql = f"select {cols} from {table} order by 1, 2"
        if table == "documents":
            sql = f"select {cols} from documents order by id"
        assert rows(one, sql) == rows(two, sql), table
    assert rows(one, "select count(*) from recommendations")[0][0] > 0


def test_a_failed_file_is_counted_and_the_others_are_stored(folder, tmp_path):
    db = tmp_path / "r.db"
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02\x03\x04\x05" * 40)  # not text
    result = load(folder, "--db", db, "--workers", "2")
    assert result.exit_code == 1
    assert "bad.txt: not text" in result.output
    assert "3 loaded, 0 unchanged, 0 skipped, 1 failed" in result.output
    assert rows(db, "select count(*) from documents")[0][0] == 3


def test_load_files_reports_progress_and_outcomes(folder, tmp_path):
    seen = []
    totals, errors = pipeline.load_files(tmp_path / "r.db", [folder], workers=1,
                                         on_progress=lambda t, p, n: seen.append((t["loaded"], n)))
    assert errors == [] and totals["loaded"] == 3 and totals["documents"] == 3
    assert set(pipeline.OUTCOMES) <= set(totals) and seen == [(1, 3), (2, 3), (3, 3)]
    totals, _ = pipeline.load_files(tmp_path / "r.db", [folder], workers=1)
    assert (totals["loaded"], totals["unchanged"], totals["failed"]) == (0, 3, 0)


def test_lexicon_digest_changes_with_the_lexicon():
    from loader.lexicon import load_lexicon

    base = load_lexicon()
    assert pipeline.lexicon_digest(base) == pipeline.lexicon_digest(load_lexicon())
    assert pipeline.lexicon_digest({**base, "themes": {}}) != pipeline.lexicon_digest(base)


def test_a_long_document_extracted_in_runs_gives_the_same_rows(monkeypatch):
    """Runs of turns extracted in forked processes and linked once: the output of one extract()."""
    from loader.read import read_source
    from conftest import SEED_FILE

    source = read_source(SEED_FILE)
    _doc, recs, coms = pipeline.process_source(source)
    monkeypatch.setattr(pipeline, "LONG_DOCUMENT", 1000)  # the seed counts as long
    _doc2, recs2, coms2 = pipeline.process_source(source, workers=3)
    assert recs2 == recs and coms2 == coms
    assert any(c.recommendation_index is not None for c in coms2)  # linked across the runs


def test_turn_runs_cover_every_turn_in_order():
    from loader.model import Turn

    turns = [Turn(seq=i, label=None, speaker_key=None, text="x" * n, char_start=0, char_end=n, speech_start=0)
             for i, n in enumerate([5, 50, 5, 5, 40, 5, 10], 1)]
    runs = pipeline.turn_runs(turns, 3)
    assert [t for run in runs for t in run] == turns and 1 < len(runs) <= 3
    assert pipeline.turn_runs(turns, 1) == [turns]
