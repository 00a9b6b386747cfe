"""Every format rectrack reads loads the same meeting to the same turns and recommendations, end
to end through the CLI into SQLite; the two real UN record PDFs load to the turns of their text."""
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from loader.cli import cli
from loader.evaluate import reference_turns, score_turns
from loader.pipeline import process_source
from loader.read import read_source
from meeting_files import TURNS, write_all

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = ("txt", "pdf", "docx", "vtt", "srt", "json")


def squash(text):
    return " ".join(text.split())


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """All six files of the meeting loaded into one database by ``rectrack load``."""
    folder = tmp_path_factory.mktemp("meeting")
    files = write_all(folder / "files")
    db = folder / "rectrack.db"
    result = CliRunner().invoke(cli, ["load", str(folder / "files"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Summary: 6 loaded, 0 unchanged, 0 skipped, 0 failed" in result.output
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield files, db, conn
    conn.close()


def turns_of(conn, fmt):
    return [(r["name"], squash(r["text"])) for r in conn.execute(
        "SELECT s.name, t.text FROM turns t JOIN speakers s ON s.id = t.speaker_id "
        "WHERE t.document_id = ? ORDER BY t.seq", (f"meeting-{fmt}",))]


def recommendations_of(conn, fmt):
    return [(squash(r["text"]), r["name"], r["actor_id"]) for r in conn.execute(
        "SELECT r.text, s.name, r.actor_id FROM recommendations r JOIN speakers s ON s.id = r.speaker_id "
        "WHERE r.document_id = ? ORDER BY r.char_start", (f"meeting-{fmt}",))]


def test_the_text_version_reads_as_written(loaded):
    _files, _db, conn = loaded
    assert turns_of(conn, "txt") == [("Chair", said) if who == "Chair" else (who.split(" ", 1)[1], said)
                                     for who, said in TURNS]
    assert len(recommendations_of(conn, "txt")) == 3


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "txt"])
def test_same_turns_and_recommendations_as_the_text(loaded, fmt):
    _files, _db, conn = loaded
    assert turns_of(conn, fmt) == turns_of(conn, "txt")
    assert recommendations_of(conn, fmt) == recommendations_of(conn, "txt")


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_column_and_stored_text_index_the_spans(loaded, fmt):
    files, _db, conn = loaded
    doc = conn.execute("SELECT * FROM documents WHERE id = ?", (f"meeting-{fmt}",)).fetchone()
    assert doc["format"] == fmt
    assert doc["source_path"] == str(files[fmt])
    for r in conn.execute("SELECT text, char_start, char_end FROM recommendations WHERE document_id = ?",
                          (doc["id"],)):
        assert doc["text"][r["char_start"]:r["char_end"]] == r["text"]
    for t in conn.execute("SELECT text, char_start, char_end FROM turns WHERE document_id = ?", (doc["id"],)):
        span = doc["text"][t["char_start"]:t["char_end"]]
        assert all(line in span for line in t["text"].splitlines())  # page junk inside a turn is left out


@pytest.mark.parametrize("fmt", ["vtt", "srt", "json"])
def test_timed_formats_keep_turn_times_and_no_markup_in_text(loaded, fmt):
    _files, _db, conn = loaded
    times = [(r["start_time"], r["end_time"]) for r in conn.execute(
        "SELECT start_time, end_time FROM turns WHERE document_id = ? ORDER BY seq", (f"meeting-{fmt}",))]
    assert times == [(1.0, 7.0), (8.0, 20.0), (21.0, 27.5), (28.0, 33.0)]
    text = conn.execute("SELECT text FROM documents WHERE id = ?", (f"meeting-{fmt}",)).fetchone()[0]
    for junk in ("-->", "<v", "</v>", "<i>", "00:00", "WEBVTT"):
        assert junk not in text


@pytest.mark.parametrize("fmt", ["txt", "pdf", "docx", "json"])
def test_title_date_and_venue(loaded, fmt):
    _files, _db, conn = loaded
    doc = conn.execute("SELECT title, event_date, venue FROM documents WHERE id = ?", (f"meeting-{fmt}",)).fetchone()
    assert tuple(doc) == ("Committee on Water Safety", "2025-03-04", "Council Chamber")


def test_pdf_pages_map_and_running_header_dropped(loaded):
    _files, _db, conn = loaded
    turns = [r["text"] for r in conn.execute("SELECT text FROM turns WHERE document_id = 'meeting-pdf'")]
    assert not any("Water Safety Committee" in t or "Page" in t for t in turns)
    # Dr. Okafor's paragraph runs across the page break: one turn, the header line left out
    okafor = [t for t in turns if t.startswith("Thank you, Chair.")]
    assert len(okafor) == 1 and "waited too\nlong" in okafor[0]
    pages = {r["text"][:20]: r["page"] for r in conn.execute(
        "SELECT r.text, (SELECT page FROM document_locations l WHERE l.document_id = r.document_id "
        "AND l.char_start <= r.char_start ORDER BY l.char_start DESC LIMIT 1) AS page "
        "FROM recommendations r WHERE r.document_id = 'meeting-pdf'")}
    assert pages == {"The ministry should ": 1, "We also recommend th": 2, "The council must fun": 2}


def test_pdf_joins_a_word_hyphenated_at_the_line_end(loaded):
    _files, _db, conn = loaded
    text = conn.execute("SELECT text FROM documents WHERE id = 'meeting-pdf'").fetchone()[0]
    assert "board replace\nthe lead pipes" in text and "re-" not in text


@pytest.mark.parametrize("name", ["un_ga_A-79-PV.29", "un_sc_S-PV.10100"])
def test_un_record_pdf_loads_to_the_turns_of_its_text(name):
    text_doc, text_recs, _ = process_source(read_source(FIXTURES / f"{name}.txt"))
    pdf_doc, pdf_recs, _ = process_source(read_source(FIXTURES / f"{name}.pdf"))
    assert pdf_doc.format == "pdf" and len(pdf_doc.locations) >= 3
    scores = score_turns(pdf_doc, reference_turns(text_doc))
    assert scores["f1"] >= 0.95, scores
    assert scores["speaker_accuracy"] >= 0.95, scores
    assert [squash(r.text) for r in pdf_recs] == [squash(r.text) for r in text_recs]
