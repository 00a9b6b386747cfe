"""A write that finds the database locked answers a JSON 503 with Retry-After, never a 500.

Another connection holds the write lock (as a long reload would) while an update is POSTed
through the real Datasette app; the plugin's write busy timeout is set short for the test.
"""
import asyncio
import sqlite3

import pytest
from datasette_auth_passwords.utils import hash_password

from loader.web import make_datasette, metadata_for
from test_plugin_tracking import PASSWORD, TOKEN, bearer, history, login, open_form, page
from tracking_helpers import RECS_V1, make_db


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("RECTRACK_PASSWORD_HASH_ADMIN", hash_password(PASSWORD, iterations=1000))
    monkeypatch.setenv("RECTRACK_API_TOKEN", TOKEN)


@pytest.fixture
def setup(tmp_path, env):
    path = tmp_path / "rectrack.db"
    ids = make_db(path)
    metadata = metadata_for(path)
    metadata["plugins"]["rectrack"]["write_busy_timeout_ms"] = 200
    return path, ids[RECS_V1[0][1]], make_datasette(path, metadata=metadata)


def hold_write_lock(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_locked_database_json_update_is_a_503_with_retry_after(setup):
    path, rid, ds = setup

    async def run():
        locker = hold_write_lock(path)
        try:
            busy = await ds.client.post(page(rid) + ".json", json={"status": "accepted", "version": 1},
                                        headers=bearer())
            busy_page = await ds.client.post(page(rid), json={"status": "accepted", "version": 1}, headers=bearer())
        finally:
            locker.rollback()
            locker.close()
        ok = await ds.client.post(page(rid) + ".json", json={"status": "accepted", "version": 1}, headers=bearer())
        return busy, busy_page, ok

    busy, busy_page, ok = asyncio.run(run())
    for response in (busy, busy_page):
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/json")
        assert int(response.headers["retry-after"]) > 0
        assert response.json()["ok"] is False and "busy" in response.json()["error"]
    assert ok.status_code == 200 and ok.json()["recommendation"]["status"] == "accepted"
    assert len(history(path, rid)) == 1  # the refused updates wrote nothing


def test_locked_database_form_update_says_so_and_redirects(setup):
    path, rid, ds = setup

    async def run():
        cookies = await login(ds)
        cookies, token, _html = await open_form(ds, rid, cookies)
        locker = hold_write_lock(path)
        try:
            response = await ds.client.post(page(rid), data={"status": "accepted", "version": "1",
                                                             "csrftoken": token}, cookies=cookies)
        finally:
            locker.rollback()
            locker.close()
        shown = await ds.client.get(page(rid), cookies={**cookies, **response.cookies})
        return response, shown

    response, shown = asyncio.run(run())
    assert response.status_code == 302
    assert "database is busy" in shown.text
    assert history(path, rid) == []


def test_locked_database_creation_is_a_503(setup):
    path, _rid, ds = setup

    async def run():
        locker = hold_write_lock(path)
        try:
            return await ds.client.post("/-/rectrack/recommendations", headers=bearer(),
                                        json={"document_id": "meeting", "quote": "We begin with the report on protection of civilians."})
        finally:
            locker.rollback()
            locker.close()

    busy = asyncio.run(run())
    assert busy.status_code == 503 and int(busy.headers["retry-after"]) > 0
    assert busy.json()["ok"] is False
    conn = sqlite3.connect(path)
    try:  # nothing was written
        assert conn.execute("SELECT count(*) FROM recommendations WHERE origin = 'manual'").fetchone()[0] == 0
    finally:
        conn.close()
