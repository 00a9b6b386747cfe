"""The original location over HTTP: the PDF page or the cue time on the recommendation page, cue
times on the document page; an older database gains the new columns."""
import sqlite3

import pytest

from loader import store
from loader.cli import load_paths
from loader.web import make_datasette
from meeting_files import write_all


@pytest.fixture(scope="module")
def meeting_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    write_all(folder / "files")
    db = folder / "rectrack.db"
    _totals, errors = load_paths(db, [folder / "files"], progress=False)
    assert not errors, errors
    return db


def rec_id(db, document_id, starts):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id FROM recommendations WHERE document_id = ? AND text LIKE ?",
                            (document_id, starts + "%")).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("document_id,starts,origin", [
    ("meeting-pdf", "The ministry should", "page 1 of the PDF"),
    ("meeting-pdf", "We also recommend", "page 2 of the PDF"),
    ("meeting-vtt", "We also recommend", "cue 00:15–00:20"),
    ("meeting-srt", "The ministry should", "cue 00:08–00:12"),
    ("meeting-json", "The council must", "cue 00:21–00:27"),
])
async def test_recommendation_page_shows_the_original_location(meeting_db, document_id, starts, origin):
    ds = make_datasette(meeting_db)
    r = await ds.client.get(f"/-/rectrack/recommendations/{rec_id(meeting_db, document_id, starts)}")
    assert r.status_code == 200
    assert f'<span class="origin">{origin}</span>' in r.text


@pytest.mark.asyncio
@pytest.mark.parametrize("document_id", ["meeting-txt", "meeting-docx"])
async def test_no_location_for_text_and_word(meeting_db, document_id):
    ds = make_datasette(meeting_db)
    r = await ds.client.get(f"/-/rectrack/recommendations/{rec_id(meeting_db, document_id, 'We also')}")
    assert r.status_code == 200
    assert 'class="origin"' not in r.text


@pytest.mark.asyncio
async def test_document_page_shows_cue_times(meeting_db):
    ds = make_datasette(meeting_db)
    r = await ds.client.get("/-/rectrack/documents/meeting-vtt")
    assert r.status_code == 200
    for span in ("00:01–00:07", "00:08–00:20", "00:21–00:27", "00:28–00:33"):
        assert f'<span class="cue">{span}</span>' in r.text
    assert "-->" not in r.text and "&lt;v " not in r.text
    plain = await ds.client.get("/-/rectrack/documents/meeting-txt")
    assert plain.status_code == 200 and 'class="cue"' not in plain.text


def test_an_older_database_gains_the_new_columns(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE documents (id TEXT PRIMARY KEY, title TEXT, event_date TEXT, venue TEXT, "
                       "source_path TEXT, sha256 TEXT, text TEXT, loaded_at TEXT);"
                       "CREATE TABLE turns (id TEXT PRIMARY KEY, document_id TEXT, seq INTEGER, speaker_id TEXT, "
                       "label TEXT, text TEXT, char_start INTEGER, char_end INTEGER);"
                       "INSERT INTO documents (id, title) VALUES ('old', 'Kept');")
    conn.close()
    conn = store.connect(db)
    try:
        assert {"format"} <= {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
        assert {"start_time", "end_time"} <= {r[1] for r in conn.execute("PRAGMA table_info(turns)")}
        assert conn.execute("SELECT count(*) FROM document_locations").fetchone()[0] == 0
        assert [tuple(r) for r in conn.execute("SELECT title FROM documents")] == [("Kept",)]
    finally:
        conn.close()
