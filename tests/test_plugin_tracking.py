"""The recommendation page, its JSON and its POST handler, through a real Datasette (ds.client).

Uses the repository's metadata.yml (auth config included) with test secrets in the environment.
"""
import asyncio
import html
import re

import pytest
from datasette_auth_passwords.utils import hash_password
from datasette_test import actor_cookie

from loader.web import make_datasette
from tracking_helpers import RECS_V1, make_db, rows

PASSWORD = "correct horse battery staple"
TOKEN = "test-token-0123456789abcdef"
FIRST = RECS_V1[0][1]
ESCAPED = RECS_V1[2][1]  # contains & and <exercises>


@pytest.fixture
def env(monkeypatch):
    # Few iterations: the same algorithm as `datasette hash-password`, fast enough for tests.
    monkeypatch.setenv("RECTRACK_PASSWORD_HASH_ADMIN", hash_password(PASSWORD, iterations=1000))
    monkeypatch.setenv("RECTRACK_API_TOKEN", TOKEN)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "rectrack.db"
    return path, make_db(path)


@pytest.fixture
def ds(db, env):
    return make_datasette(db[0])


def page(rid):
    return f"/-/rectrack/recommendations/{rid}"


def bearer(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


def csrf_field(text):
    return re.search(r'name="csrftoken" value="([^"]+)"', text).group(1)


def history(path, rid):
    return rows(path, "select * from status_changes where recommendation_id = ? order by id", (rid,))


async def login(ds):
    """A real sign-in: GET the form (CSRF cookie + field), POST the password. Returns cookies."""
    form = await ds.client.get("/-/login")
    assert form.status_code == 200
    cookies = {"ds_csrftoken": form.cookies["ds_csrftoken"]}
    response = await ds.client.post(
        "/-/login", data={"username": "admin", "password": PASSWORD, "csrftoken": csrf_field(form.text)},
        cookies=cookies,
    )
    assert response.status_code == 302, response.text
    return {**cookies, "ds_actor": response.cookies["ds_actor"]}


async def open_form(ds, rid, cookies):
    """GET the page as a signed-in user; returns (cookies with the CSRF cookie, csrf token, html)."""
    response = await ds.client.get(page(rid), cookies=cookies)
    assert response.status_code == 200
    cookies = dict(cookies)
    if "ds_csrftoken" in response.cookies:
        cookies["ds_csrftoken"] = response.cookies["ds_csrftoken"]
    return cookies, csrf_field(response.text), response.text


# ---------------------------------------------------------------- reading


@pytest.mark.asyncio
async def test_page_for_anonymous_reader(ds, db):
    path, ids = db
    rid = ids[FIRST]
    response = await ds.client.get(page(rid))
    assert response.status_code == 200
    text = response.text
    assert f"<mark>{FIRST}</mark>" in text
    # The previous and next turns and the speaker, actor, theme, strength.
    assert "Welcome, everyone." in text and "I agree with Alice." in text
    assert "<strong>Alice Smith</strong>, Director, Peace Institute" in text
    assert "Security Council" in text and "mandates" in text and "should" in text
    assert 'href="/-/rectrack/documents/meeting#turn-2"' in text
    assert f'href="/rectrack/recommendations/{rid}"' in text
    assert "We will take that forward." in text  # the linked commitment
    assert 'name="csrftoken"' not in text and "Sign in" in text


@pytest.mark.asyncio
async def test_page_escapes_text(ds, db):
    path, ids = db
    text = (await ds.client.get(page(ids[ESCAPED]))).text
    assert "<exercises>" not in text
    assert f"<mark>{html.escape(ESCAPED)}</mark>" in text


@pytest.mark.asyncio
async def test_json_get_and_404s(ds, db):
    path, ids = db
    rid = ids[FIRST]
    response = await ds.client.get(page(rid) + ".json")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["recommendation"]["id"] == rid and data["recommendation"]["status"] == "proposed"
    assert data["history"] == []
    assert [c["text"] for c in data["commitments"]] == ["We will take that forward."]
    missing = await ds.client.get(page("rnope") + ".json")
    assert missing.status_code == 404 and missing.json()["ok"] is False
    assert (await ds.client.get(page("rnope"))).status_code == 404


# ---------------------------------------------------------------- forms (cookie + CSRF)


@pytest.mark.asyncio
async def test_login_form_post_redirect_get(ds, db):
    path, ids = db
    rid = ids[FIRST]
    cookies = await login(ds)
    cookies, token, text = await open_form(ds, rid, cookies)
    assert 'name="version" value="1"' in text
    response = await ds.client.post(
        page(rid), cookies=cookies,
        data={"csrftoken": token, "version": "1", "status": "accepted", "owner": "DPO", "due_date": "2025-06-30",
              "priority": "high", "follow_up": "", "note": "Agreed at <the> meeting"},
    )
    assert response.status_code == 302
    assert response.headers["location"] == page(rid)
    (h,) = history(path, rid)
    assert (h["from_status"], h["to_status"], h["changed_by"], h["note"]) == (
        "proposed", "accepted", "admin", "Agreed at <the> meeting")
    # GET after the redirect: the flash message, the new values, the history row.
    after = await ds.client.get(page(rid), cookies={**cookies, "ds_messages": response.cookies["ds_messages"]})
    assert "Saved: status Proposed \u2192 Accepted, owner, due date, priority." in after.text
    assert 'data-status="accepted"' in after.text and 'name="version" value="2"' in after.text
    assert "Agreed at &lt;the&gt; meeting" in after.text
    assert "Owner: none &rarr; DPO" in after.text and "Due date: none &rarr;" in after.text


@pytest.mark.asyncio
async def test_form_without_csrf_token_is_403(ds, db):
    path, ids = db
    rid = ids[FIRST]
    cookies, _token, _ = await open_form(ds, rid, await login(ds))
    response = await ds.client.post(page(rid), cookies=cookies, data={"version": "1", "status": "accepted"})
    assert response.status_code == 403
    assert history(path, rid) == []


@pytest.mark.asyncio
async def test_form_by_reader_without_permission_is_403(ds, db):
    path, ids = db
    rid = ids[FIRST]
    cookies = {"ds_actor": actor_cookie(ds, {"id": "eve"})}
    cookies, token, text = await open_form(ds, rid, cookies)
    assert 'name="version"' not in text  # no edit form for a reader
    response = await ds.client.post(page(rid), cookies=cookies,
                                    data={"csrftoken": token, "version": "1", "status": "accepted"})
    assert response.status_code == 403
    assert history(path, rid) == []


@pytest.mark.asyncio
@pytest.mark.parametrize("data,message", [
    ({"version": "1", "status": "done"}, "Not saved: status: &#39;done&#39; is not a status; allowed: proposed"),
    ({"version": "1", "due_date": "soon"}, "Not saved: due_date: &#39;soon&#39; is not an ISO date"),
    ({"version": "7", "status": "accepted"}, "Not saved: someone else changed this recommendation (now version 1)"),
    ({"version": "1", "status": "proposed"}, "Nothing changed."),
])
async def test_form_errors_flash_and_redirect(ds, db, data, message):
    path, ids = db
    rid = ids[FIRST]
    cookies, token, _ = await open_form(ds, rid, {"ds_actor": actor_cookie(ds, {"id": "admin"})})
    response = await ds.client.post(page(rid), cookies=cookies, data={"csrftoken": token, **data})
    assert response.status_code == 302
    after = await ds.client.get(page(rid), cookies={**cookies, "ds_messages": response.cookies["ds_messages"]})
    assert message in after.text
    assert history(path, rid) == []


# ---------------------------------------------------------------- JSON (bearer token)


@pytest.mark.asyncio
async def test_json_post_with_token(ds, db):
    path, ids = db
    rid = ids[FIRST]
    response = await ds.client.post(page(rid), headers=bearer(),
                                    json={"status": "in_progress", "owner": "Ana", "note": "started", "version": 1})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["ok"] is True
    assert data["recommendation"]["status"] == "in_progress" and data["recommendation"]["version"] == 2
    assert data["recommendation"]["updated_by"] == "api"
    assert data["change"]["changes"] == {"status": ["proposed", "in_progress"], "owner": [None, "Ana"]}
    (h,) = history(path, rid)
    assert (h["changed_by"], h["note"]) == ("api", "started")
    got = (await ds.client.get(page(rid) + ".json")).json()
    assert got["history"][0]["changes"] == data["change"]["changes"]


@pytest.mark.asyncio
@pytest.mark.parametrize("body,status,fragment", [
    ({"status": "done", "version": 1}, 400, "status: 'done' is not a status; allowed: proposed, accepted"),
    ({"priority": "urgent", "version": 1}, 400, "priority: 'urgent' is not a priority; allowed: high, normal, low"),
    ({"status": "accepted"}, 400, "version: required"),
    ({"status": "accepted", "version": "one"}, 400, "version: required"),
    ({"colour": "red", "version": 1}, 400, "colour: unknown field"),
    ({"status": "accepted", "version": 5}, 409, "is at version 1, not 5"),
    ([1, 2], 400, "body: expected a JSON object"),
])
async def test_json_post_errors(ds, db, body, status, fragment):
    path, ids = db
    rid = ids[FIRST]
    response = await ds.client.post(page(rid), headers=bearer(), json=body)
    assert response.status_code == status
    data = response.json()
    assert data["ok"] is False and fragment in data["error"]
    assert history(path, rid) == []


@pytest.mark.asyncio
async def test_json_post_bad_json_unknown_id_and_transition(ds, db):
    path, ids = db
    rid = ids[FIRST]
    bad = await ds.client.post(page(rid), headers={**bearer(), "content-type": "application/json"},
                               content=b"{not json")
    assert bad.status_code == 400 and bad.json()["error"].startswith("body: not valid JSON")
    missing = await ds.client.post(page("rnope"), headers=bearer(), json={"status": "accepted", "version": 1})
    assert missing.status_code == 404 and missing.json() == {"ok": False, "error": "no recommendation with id 'rnope'"}
    ok = await ds.client.post(page(rid), headers=bearer(), json={"status": "dismissed", "version": 1})
    assert ok.status_code == 200
    refused = await ds.client.post(page(rid), headers=bearer(), json={"status": "implemented", "version": 2})
    assert refused.status_code == 400
    assert refused.json()["field"] == "status" and refused.json()["allowed"] == ["proposed"]
    text = (await ds.client.get(page(rid))).text
    assert "hidden from the default views" in text


@pytest.mark.asyncio
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic YTpi"}])
async def test_json_post_without_permission_is_403(ds, db, headers):
    path, ids = db
    rid = ids[FIRST]
    response = await ds.client.post(page(rid), headers=headers, json={"status": "accepted", "version": 1})
    assert response.status_code == 403
    assert response.json()["ok"] is False and "rectrack-edit" in response.json()["error"]
    assert history(path, rid) == []


@pytest.mark.asyncio
async def test_json_post_with_cookie_but_no_csrf_is_403(ds, db):
    path, ids = db
    rid = ids[FIRST]
    response = await ds.client.post(page(rid), cookies={"ds_actor": actor_cookie(ds, {"id": "admin"})},
                                    json={"status": "accepted", "version": 1})
    assert response.status_code == 403
    assert history(path, rid) == []


@pytest.mark.asyncio
async def test_eight_concurrent_posts_one_winner(ds, db):
    path, ids = db
    rid = ids[FIRST]
    for version in (1, 2):
        responses = await asyncio.gather(*[
            ds.client.post(page(rid), headers=bearer(),
                           json={"owner": f"writer-{version}-{i}", "note": f"w{i}", "version": version})
            for i in range(8)
        ])
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] + [409] * 7, codes
        for r in responses:
            if r.status_code == 409:
                assert r.json()["current_version"] == version + 1
    hist = history(path, rid)
    (rec,) = rows(path, "select * from recommendations where id = ?", (rid,))
    assert len(hist) == 2 and rec["version"] == 3
    assert rec["owner"] == f"writer-2-{hist[-1]['note'][1:]}"


# ---------------------------------------------------------------- configuration


@pytest.mark.asyncio
async def test_missing_env_vars_nobody_can_write_but_site_serves(db, monkeypatch):
    path, ids = db
    monkeypatch.delenv("RECTRACK_PASSWORD_HASH_ADMIN", raising=False)
    monkeypatch.delenv("RECTRACK_API_TOKEN", raising=False)
    ds = make_datasette(path)
    assert (await ds.client.get("/rectrack/recommendations.json")).status_code == 200
    assert (await ds.client.get(page(ids[FIRST]))).status_code == 200
    form = await ds.client.get("/-/login")
    failed = await ds.client.post("/-/login", data={"username": "admin", "password": "", "csrftoken":
                                                    csrf_field(form.text)},
                                  cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]})
    assert failed.status_code == 200 and "Invalid username or password" in failed.text
    for token in ("", "anything"):
        response = await ds.client.post(page(ids[FIRST]), headers=bearer(token), json={"status": "accepted",
                                                                                         "version": 1})
        assert response.status_code == 403, response.text
    assert history(path, ids[FIRST]) == []


@pytest.mark.asyncio
async def test_no_edit_config_means_nobody_edits(db, env):
    path, ids = db
    import yaml
    from loader.web import METADATA

    metadata = yaml.safe_load(METADATA.read_text())
    metadata["plugins"]["rectrack"] = {}
    ds = make_datasette(path, metadata=metadata)
    response = await ds.client.post(page(ids[FIRST]), headers=bearer(), json={"status": "accepted", "version": 1})
    assert response.status_code == 403


@pytest.mark.asyncio
async def test_page_on_seed_database(seed_db, env):
    """The real pipeline's output: every recommendation page renders (none yet while extraction is a stub)."""
    ds = make_datasette(seed_db)
    recs = rows(seed_db, "select id from recommendations limit 20")
    if not recs:
        pytest.skip("the extractor found no recommendations in the seed (placeholder extractor)")
    for r in recs:
        response = await ds.client.get(page(r["id"]))
        assert response.status_code == 200 and "<mark>" in response.text


@pytest.mark.asyncio
async def test_bearer_post_with_curl_default_content_type_is_json(ds, db):
    """curl -d sends application/x-www-form-urlencoded; a bearer request is still JSON."""
    path, ids = db
    rid = ids[FIRST]
    headers = {**bearer(), "content-type": "application/x-www-form-urlencoded"}
    ok = await ds.client.post(page(rid), headers=headers, content=b'{"status": "accepted", "version": 1}')
    assert ok.status_code == 200 and ok.json()["recommendation"]["status"] == "accepted"
    stale = await ds.client.post(page(rid), headers=headers, content=b'{"status": "declined", "version": 1}')
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
