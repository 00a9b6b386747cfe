"""Titles for transcripts without a title block, and a person's own title and date (CLI, page)."""
import re
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from datasette_auth_passwords.utils import hash_password

from conftest import FIXTURES
from loader.cli import cli
from loader.documents import (DocumentNotFound, check_details, derive_title, file_name_title,
                              set_document_details)
from loader.errors import ValidationError
from loader.model import Document, Turn
from loader.pipeline import process_source
from loader.read import read_source
from loader.web import make_datasette

CANADA = FIXTURES / "canada_commons_covid19_committee_meeting.txt"
WELSH = FIXTURES / "welsh_assembly_education_committee_meeting.txt"
PANEL = FIXTURES / "heldout" / "panel_hardwrap_variant.txt"
IRAN = FIXTURES / "heldout" / "us_irancontra_poindexter.txt"


@pytest.mark.parametrize("path,title", [
    (CANADA, "House of Commons Special Committee on the COVID-19 Pandemic"),  # "...meeting of the X"
    (WELSH, "Children, Young People and Education Committee"),
    (FIXTURES / "heldout" / "welsh_education_13_excerpt.txt", "Children, Young People and Education Committee"),
    (PANEL, "Children, Young People and Education Committee"),  # the first line, before the first turn
    (IRAN, "Us irancontra poindexter"),  # nothing else: the file name
])
def test_transcripts_without_a_title_block_get_a_readable_title(path, title):
    doc, _, _ = process_source(read_source(path))
    assert doc.title == title


def test_a_title_block_title_is_kept():
    doc, _, _ = process_source(read_source(FIXTURES / "un_sc_S-PV.10100.txt"))
    assert doc.title.startswith("Security Council")


def test_forum_title_carries_the_date():
    text = "Chair: Good morning and welcome to this sitting of the Standing Committee on Health and Care."
    doc = Document(id="x", text=text, source_path="x.txt", sha256="0", event_date="2021-03-04",
                   turns=[Turn(seq=1, label="Chair", speaker_key="chair", text=text[7:], char_start=0,
                               char_end=len(text), speech_start=7)])
    assert derive_title(doc) == "Standing Committee on Health and Care, 2021-03-04"


def test_file_name_title():
    assert file_name_title("a/b/canada_commons-covid19.txt") == "Canada commons covid19"
    assert file_name_title(None) is None


@pytest.mark.parametrize("title,date,field", [("  ", None, "title"), (None, "4 May 2022", "date"),
                                              ("x" * 301, None, "title")])
def test_bad_details_name_the_field(title, date, field):
    with pytest.raises(ValidationError) as e:
        check_details(title, date)
    assert e.value.field == field


def test_set_details_records_history_and_survives_a_reload(tmp_path):
    db = tmp_path / "rectrack.db"
    assert CliRunner().invoke(cli, ["load", str(IRAN), "--db", str(db)]).exit_code == 0
    conn = sqlite3.connect(db)
    try:
        result = set_document_details(conn, "us_irancontra_poindexter", "Iran-Contra hearings: Poindexter",
                                      "1987-07-15", {"id": "ana"})
        assert result["changed"] and result["document"]["title_set_by"] == "ana"
        assert not set_document_details(conn, "us_irancontra_poindexter", "Iran-Contra hearings: Poindexter",
                                        None, "ana")["changed"]
        with pytest.raises(DocumentNotFound):
            set_document_details(conn, "nope", "T", None, "ana")
    finally:
        conn.close()
    assert CliRunner().invoke(cli, ["load", str(IRAN), "--db", str(db)]).exit_code == 0  # a reload
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT title, event_date FROM documents").fetchone() == (
            "Iran-Contra hearings: Poindexter", "1987-07-15")
        (changes,) = conn.execute("SELECT changes FROM document_changes").fetchone()
        assert '"title": ["Us irancontra poindexter", "Iran-Contra hearings: Poindexter"]' in changes
    finally:
        conn.close()


def test_load_with_title_and_date(tmp_path):
    db = tmp_path / "work.db"
    result = CliRunner().invoke(cli, ["load", str(CANADA), "--db", str(db), "--title", "COVID-19 committee, 14th meeting",
                                      "--date", "2020-05-20"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT title, event_date, title_set_by IS NOT NULL FROM documents").fetchone() == (
            "COVID-19 committee, 14th meeting", "2020-05-20", 1)
    finally:
        conn.close()


def test_load_title_errors_are_one_line_and_load_nothing(tmp_path):
    db = tmp_path / "work.db"
    result = CliRunner().invoke(cli, ["load", str(CANADA), "--db", str(db), "--date", "May 2020"])
    assert result.exit_code != 0 and result.output.strip() == "Error: date: 'May 2020' is not a date: use YYYY-MM-DD"
    assert not db.exists()
    result = CliRunner().invoke(cli, ["load", str(CANADA), str(WELSH), "--db", str(db), "--title", "T"])
    assert result.exit_code != 0 and "--title and --date describe one transcript: 2 found" in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def titled_db(tmp_path):
    db = tmp_path / "rectrack.db"
    assert CliRunner().invoke(cli, ["load", str(IRAN), "--db", str(db)]).exit_code == 0
    return db


async def signed_in(ds):
    page = await ds.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    cookies = {"ds_csrftoken": page.cookies["ds_csrftoken"]}
    response = await ds.client.post("/-/login", cookies=cookies,
                                    data={"username": "admin", "password": "pw", "csrftoken": token})
    return {**cookies, "ds_actor": response.cookies["ds_actor"]}


@pytest.mark.asyncio
async def test_document_page_form_sets_title_and_date(titled_db, monkeypatch):
    monkeypatch.setenv("RECTRACK_PASSWORD_HASH_ADMIN", hash_password("pw", iterations=1000))
    ds = make_datasette(titled_db)
    page = "/-/rectrack/documents/us_irancontra_poindexter"
    anonymous = (await ds.client.get(page)).text
    assert "<h1>Us irancontra poindexter</h1>" in anonymous and "Edit the title and date" not in anonymous
    cookies = await signed_in(ds)
    html = (await ds.client.get(page, cookies=cookies)).text
    assert "Edit the title and date" in html
    token = re.search(r'name="csrftoken" value="([^"]+)"', html).group(1)
    response = await ds.client.post(page + "/details", cookies=cookies, data={
        "csrftoken": token, "title": "Iran-Contra hearings: Poindexter", "event_date": "1987-07-15"})
    assert response.status_code == 302 and response.headers["location"] == page
    after = await ds.client.get(page, cookies={**cookies, "ds_messages": response.cookies["ds_messages"]})
    assert "<h1>Iran-Contra hearings: Poindexter</h1>" in after.text and "Saved: title and date." in after.text
    # A bad date is refused with a message, nothing changes.
    response = await ds.client.post(page + "/details", cookies=cookies, data={
        "csrftoken": token, "title": "X", "event_date": "15/07/1987"})
    after = await ds.client.get(page, cookies={**cookies, "ds_messages": response.cookies["ds_messages"]})
    assert "Not saved: date:" in after.text and "<h1>Iran-Contra hearings: Poindexter</h1>" in after.text


@pytest.mark.asyncio
async def test_document_details_needs_permission_and_csrf(titled_db, monkeypatch):
    monkeypatch.setenv("RECTRACK_PASSWORD_HASH_ADMIN", hash_password("pw", iterations=1000))
    ds = make_datasette(titled_db)
    url = "/-/rectrack/documents/us_irancontra_poindexter/details"
    page = await ds.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    anonymous = await ds.client.post(url, cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]},
                                     data={"csrftoken": token, "title": "Hijacked"})
    assert anonymous.status_code == 403
    cookies = await signed_in(ds)
    no_csrf = await ds.client.post(url, cookies={"ds_actor": cookies["ds_actor"]}, data={"title": "Hijacked"})
    assert no_csrf.status_code == 403
    conn = sqlite3.connect(titled_db)
    try:
        assert conn.execute("SELECT title FROM documents").fetchone()[0] == "Us irancontra poindexter"
    finally:
        conn.close()


def test_fixture_copy_is_independent(tmp_path):
    shutil.copy(IRAN, tmp_path / "x.txt")
    assert read_source(tmp_path / "x.txt").document_id == "x"
