"""Bad requests get a 4xx with a message, never a 500, and write nothing (real Datasette, ds.client).

Bodies (lone surrogates, deep nesting, size), Datasette's own table arguments (_sort, _sort_desc,
_timelimit), other HTTP methods on rectrack's routes, and a bearer header next to a signed-in cookie.
"""
import json

import pytest
from datasette_test import actor_cookie

from loader.requests import MAX_BODY_BYTES
from test_plugin_tracking import FIRST, TOKEN, bearer, db, ds, env, history, open_form, page  # noqa: F401
from tracking_helpers import rows


def json_post(ds, rid, body: bytes, headers=None):
    return ds.client.post(page(rid), content=body,
                          headers={**bearer(), "Content-Type": "application/json", **(headers or {})})


def unchanged(path, rid):
    (rec,) = rows(path, "select status, owner, version from recommendations where id = ?", (rid,))
    return rec == {"status": "proposed", "owner": None, "version": 1} and history(path, rid) == []


# ---------------------------------------------------------------- JSON bodies


@pytest.mark.asyncio
@pytest.mark.parametrize("body, message", [
    (b'{"owner": "\\ud800", "version": 1}', "owner: not valid text"),
    (b'{"note": "x\\udfff", "status": "accepted", "version": 1}', "note: not valid text"),
    (b"[" * 100_000 + b"]" * 100_000, "body: too large"),
    (b"[" * 60_000, "body: JSON nested too deeply"),
    (b'{"owner": "' + b"x" * MAX_BODY_BYTES + b'", "version": 1}', "body: too large"),
    (b'{"owner": "\xff", "version": 1}', "body: not UTF-8"),
    (b'{"owner": ', "body: not valid JSON"),
    (b'{"\\ud800": "x", "version": 1}', "\ud800: unknown field"),
], ids=["surrogate", "surrogate-note", "100k-deep", "60k-deep", "65k-body", "latin1", "truncated", "surrogate-key"])
async def test_bad_json_body_is_400_and_writes_nothing(ds, db, body, message):
    path, ids = db
    rid = ids[FIRST]
    for url in (page(rid), page(rid) + ".json"):
        response = await ds.client.post(url, content=body, headers={**bearer(), "Content-Type": "application/json"})
        assert response.status_code == 400, response.text
        data = response.json()
        assert data["ok"] is False and data["error"].startswith(message), data
    assert unchanged(path, rid)


@pytest.mark.asyncio
async def test_declared_length_over_the_limit_is_refused_before_reading(ds, db):
    path, ids = db
    rid = ids[FIRST]
    response = await json_post(ds, rid, b'{"status": "accepted", "version": 1}',
                               headers={"Content-Length": str(MAX_BODY_BYTES + 1)})
    assert response.status_code == 400 and "too large" in response.json()["error"]


@pytest.mark.asyncio
async def test_a_body_under_the_limits_still_saves(ds, db):
    path, ids = db
    rid = ids[FIRST]
    body = json.dumps({"owner": "Ren\u00e9e \u674e", "note": "y" * 2000, "version": 1}).encode()
    response = await json_post(ds, rid, body)
    assert response.status_code == 200, response.text
    assert response.json()["recommendation"]["owner"] == "Ren\u00e9e \u674e"


@pytest.mark.asyncio
async def test_form_body_not_utf8_is_400_not_500(ds, db):
    """asgi_csrf decodes every checked form body as UTF-8; a Latin-1 byte was a 500."""
    path, ids = db
    rid = ids[FIRST]
    cookies, token, _ = await open_form(ds, rid, {"ds_actor": actor_cookie(ds, {"id": "admin"})})
    for url in (page(rid), "/-/login"):
        response = await ds.client.post(
            url, cookies=cookies, content=f"csrftoken={token}&version=1&owner=".encode() + b"\xff",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 400, response.text
        assert response.json() == {"ok": False, "error": "body: form data is not UTF-8"}
    assert unchanged(path, rid)


@pytest.mark.asyncio
async def test_form_body_over_the_limit_is_flashed_and_not_saved(ds, db):
    path, ids = db
    rid = ids[FIRST]
    cookies, token, _ = await open_form(ds, rid, {"ds_actor": actor_cookie(ds, {"id": "admin"})})
    response = await ds.client.post(page(rid), cookies=cookies, data={
        "csrftoken": token, "version": "1", "status": "accepted", "follow_up": "x" * MAX_BODY_BYTES})
    assert response.status_code == 302
    after = await ds.client.get(page(rid), cookies={**cookies, "ds_messages": response.cookies["ds_messages"]})
    assert "Not saved: body: too large" in after.text
    assert unchanged(path, rid)


# ---------------------------------------------------------------- Datasette's table arguments


@pytest.mark.asyncio
@pytest.mark.parametrize("query, message", [
    ("_sort=id;DROP TABLE x", "Cannot sort table by id;DROP TABLE x"),
    ("_sort_desc=id;DROP TABLE x", "Cannot sort table by id;DROP TABLE x"),
    ("_sort=nope", "Cannot sort table by nope"),
    ("_sort=%00", "Cannot sort table by"),
    ("_sort=id&_sort_desc=id", "Cannot use _sort and _sort_desc at the same time"),
    ("_sort=nope&_next=1", "Cannot sort table by nope"),
    ("_timelimit=x", "_timelimit"),
])
@pytest.mark.parametrize("table", ["recommendations", "turns", "status_changes"])
async def test_bad_table_arguments_are_400(ds, db, table, query, message):
    path, _ = db
    json_page = await ds.client.get(f"/rectrack/{table}.json?{query}")
    assert json_page.status_code == 400, json_page.text
    assert json_page.json()["ok"] is False and message in json_page.json()["error"]
    html_page = await ds.client.get(f"/rectrack/{table}?{query}")
    assert html_page.status_code == 400 and "text/html" in html_page.headers["content-type"]
    assert rows(path, f"select count(*) as n from sqlite_master where name = '{table}'") == [{"n": 1}]


@pytest.mark.asyncio
async def test_good_sort_still_works(ds):
    response = await ds.client.get("/rectrack/recommendations.json?_sort_desc=confidence&_shape=array")
    assert response.status_code == 200 and len(response.json()) == 6


# ---------------------------------------------------------------- methods


ROUTES = {
    "recommendation page": ("/-/rectrack/recommendations/{rid}", "GET, POST, HEAD"),
    "recommendation JSON": ("/-/rectrack/recommendations/{rid}.json", "GET, POST, HEAD"),
    "document": ("/-/rectrack/documents/meeting", "GET, HEAD"),
    "dashboard": ("/-/rectrack/dashboard", "GET, HEAD"),
    "summary": ("/-/rectrack/summary.json", "GET, OPTIONS, HEAD"),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("route", list(ROUTES))
async def test_other_methods_are_405_with_allow(ds, db, route, method):
    path, ids = db
    rid = ids[FIRST]
    url, allow = ROUTES[route]
    response = await ds.client.request(method, url.format(rid=rid), headers=bearer(),
                                       content=b'{"status": "accepted", "version": 1}')
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    assert response.json() == {"ok": False, "error": f"method {method} not allowed; use {allow}"}
    assert unchanged(path, rid)


def test_every_rectrack_route_declares_its_methods(ds):
    """A new route without @allow_methods would answer PUT with its GET page."""
    from datasette.plugins import pm

    (plugin,) = [p for p in pm.get_plugins() if getattr(p, "__name__", "") == "rectrack.py"]
    routes = plugin.register_routes()
    assert len(routes) >= len(ROUTES)
    for regex, view in routes:
        assert getattr(view, "allowed_methods", None), regex


@pytest.mark.asyncio
@pytest.mark.parametrize("route", list(ROUTES))
async def test_allowed_reads_still_answer(ds, db, route):
    url, _ = ROUTES[route]
    for method in ("GET", "HEAD"):
        response = await ds.client.request(method, url.format(rid=db[1][FIRST]))
        assert response.status_code == 200, (method, response.text)


# ---------------------------------------------------------------- a token next to a signed-in cookie


@pytest.mark.asyncio
@pytest.mark.parametrize("token", ["x", "wrong-" + TOKEN, ""])
async def test_cookie_with_invalid_bearer_is_403_never_the_cookie_user(ds, db, token):
    path, ids = db
    rid = ids[FIRST]
    cookies = {"ds_actor": actor_cookie(ds, {"id": "admin"})}
    for url in (page(rid), page(rid) + ".json"):
        response = await ds.client.post(
            url, cookies=cookies, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            content=b'{"status": "accepted", "version": 1}')
        assert response.status_code == 403, response.text
        assert response.json()["ok"] is False
    assert unchanged(path, rid)


@pytest.mark.asyncio
async def test_cookie_with_invalid_bearer_form_post_is_refused(ds, db):
    """Even a form with a valid CSRF token: a bearer header means the token alone decides."""
    path, ids = db
    rid = ids[FIRST]
    cookies, csrf, _ = await open_form(ds, rid, {"ds_actor": actor_cookie(ds, {"id": "admin"})})
    response = await ds.client.post(page(rid), cookies=cookies, headers={"Authorization": "Bearer x"},
                                    data={"csrftoken": csrf, "version": "1", "status": "accepted"})
    assert response.status_code == 403
    assert unchanged(path, rid)


@pytest.mark.asyncio
async def test_cookie_with_valid_bearer_acts_as_the_token(ds, db):
    """The token's actor, not the cookie's; no CSRF token needed (a browser cannot add the header
    cross-site, and the cookie is not what authenticates the request)."""
    path, ids = db
    rid = ids[FIRST]
    cookies = {"ds_actor": actor_cookie(ds, {"id": "admin"})}
    response = await ds.client.post(
        page(rid), cookies=cookies, headers={**bearer(), "Content-Type": "application/json"},
        content=b'{"status": "accepted", "version": 1, "note": "via token"}')
    assert response.status_code == 200, response.text
    (change,) = history(path, rid)
    assert change["changed_by"] == "api" and change["note"] == "via token"


@pytest.mark.asyncio
async def test_cookie_alone_still_reads_as_signed_in(ds, db):
    response = await ds.client.get("/-/actor.json", cookies={"ds_actor": actor_cookie(ds, {"id": "admin"})})
    assert response.json() == {"actor": {"id": "admin"}}
    with_bad_token = await ds.client.get("/-/actor.json", cookies={"ds_actor": actor_cookie(ds, {"id": "admin"})},
                                         headers={"Authorization": "Bearer x"})
    assert with_bad_token.json() == {"actor": None}
