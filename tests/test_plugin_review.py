"""Corrections, manual additions, the guesses, the review queue and the reviewed share through a
real Datasette (ds.client), with the repository's metadata.yml and test secrets."""
import json

import pytest
from datasette_test import actor_cookie

from loader.web import make_datasette
from test_plugin_tracking import TOKEN, bearer, csrf_field, env, history, open_form, page  # noqa: F401 (fixture)
from test_review import MANUAL_QUOTE
from tracking_helpers import RECS_V1, make_db, rows

FIRST = RECS_V1[0][1]
CREATE = "/-/rectrack/recommendations"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "rectrack.db"
    return path, make_db(path)


@pytest.fixture
def ds(db, env):  # noqa: F811
    return make_datasette(db[0])


def record(path, rid):
    return rows(path, "select * from recommendations where id = ?", (rid,))[0]


def span_of(path, rid, words):
    rec = record(path, rid)
    return {"char_start": rec["char_start"], "char_end": rec["char_start"] + len(words)}


# ---------------------------------------------------------------- corrections (JSON)


CORRECTIONS = {
    "actors": ({"actors": ["Member States", {"name": "Regional Organisations", "kind": "organization"}]},
               lambda rec: rec["actor_id"] == "member-states",
               ("actors", [["Security Council"], ["Member States", "Regional Organisations"]])),
    "theme": ({"theme": "protection"}, lambda rec: rec["theme"] == "protection", ("theme", ["mandates", "protection"])),
    "strength": ({"strength": "must"}, lambda rec: rec["strength"] == "must", ("strength", ["should", "must"])),
    "span": (None, lambda rec: rec["text"] == "The Security Council should give missions clearer mandates",
             ("text", [FIRST, "The Security Council should give missions clearer mandates"])),
    "kind": ({"kind": "commitment"}, lambda rec: rec["kind"] == "commitment", ("kind", ["recommendation", "commitment"])),
    "reviewed": ({"reviewed": True}, lambda rec: rec["reviewed_by"] == "api", ("reviewed", [False, True])),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("name", list(CORRECTIONS))
async def test_each_correction_200_with_history(ds, db, name):
    path, ids = db
    rid = ids[FIRST]
    body, check, (field, pair) = CORRECTIONS[name]
    if body is None:
        body = span_of(path, rid, "The Security Council should give missions clearer mandates")
    response = await ds.client.post(page(rid), headers=bearer(), json={**body, "version": 1})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["ok"] and data["recommendation"]["version"] == 2
    rec = record(path, rid)
    assert check(rec)
    assert rec["reviewed_by"] == "api" and rec["reviewed_at"]
    (h,) = history(path, rid)
    assert json.loads(h["changes"])[field] == pair and h["changed_by"] == "api"
    got = (await ds.client.get(page(rid) + ".json")).json()
    assert got["history"][0]["changes"][field] == pair
    if name == "actors":
        assert [a["name"] for a in got["actors"]] == ["Member States", "Regional Organisations"]


@pytest.mark.asyncio
@pytest.mark.parametrize("body,field", [
    ({"actors": []}, "actors"),
    ({"actors": "  "}, "actors"),
    ({"theme": 5}, "theme"),
    ({"strength": "maybe"}, "strength"),
    ({"char_start": 0, "char_end": 12}, "char_start"),
    ({"char_start": "x"}, "char_start"),
    ({"kind": "question"}, "kind"),
    ({"reviewed": "perhaps"}, "reviewed"),
])
async def test_correction_400_names_the_field(ds, db, body, field):
    path, ids = db
    rid = ids[FIRST]
    response = await ds.client.post(page(rid), headers=bearer(), json={**body, "version": 1})
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False and data["field"] == field and data["error"].startswith(field + ":")
    assert history(path, rid) == []


@pytest.mark.asyncio
async def test_correction_403_404_409(ds, db):
    path, ids = db
    rid = ids[FIRST]
    anonymous = await ds.client.post(page(rid), json={"theme": "x", "version": 1})
    assert anonymous.status_code == 403
    reader = await ds.client.post(page(rid), headers={"Authorization": "Bearer wrong"}, json={"theme": "x", "version": 1})
    assert reader.status_code == 403
    missing = await ds.client.post(page("rnope"), headers=bearer(), json={"theme": "x", "version": 1})
    assert missing.status_code == 404
    assert (await ds.client.post(page(rid), headers=bearer(), json={"theme": "x", "version": 1})).status_code == 200
    stale = await ds.client.post(page(rid), headers=bearer(), json={"kind": "commitment", "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert len(history(path, rid)) == 1


# ---------------------------------------------------------------- corrections (the page's forms)


@pytest.mark.asyncio
async def test_correction_form_on_the_page(ds, db):
    path, ids = db
    rid = ids[FIRST]
    cookies, token, text = await open_form(ds, rid, {"ds_actor": actor_cookie(ds, {"id": "admin"})})
    assert 'class="edit correct"' in text and 'value="Security Council"' in text
    assert "not yet" in text  # not reviewed
    rec = record(path, rid)
    response = await ds.client.post(page(rid), cookies=cookies, data={
        "csrftoken": token, "version": "1", "actors": "Security Council; Troop Contributors",
        "new_actor_kind": "member states", "theme": "mandates", "strength": "must", "kind": "recommendation",
        "char_start": str(rec["char_start"]), "char_end": str(rec["char_end"]), "note": "two actors"})
    assert response.status_code == 302
    (h,) = history(path, rid)
    changes = json.loads(h["changes"])
    assert set(changes) == {"actors", "strength", "reviewed"} and h["note"] == "two actors"
    assert rows(path, "select kind from actors where id = 'troop-contributors'")[0]["kind"] == "member states"
    after = await ds.client.get(page(rid), cookies={**cookies, "ds_messages": response.cookies["ds_messages"]})
    assert "Saved: actors, strength, reviewed." in after.text
    assert "Security Council (body); Troop Contributors (member states)" in after.text
    assert "by admin" in after.text  # who reviewed, and when
    ok_form = await ds.client.post(page(ids[RECS_V1[1][1]]), cookies=cookies,
                                   data={"csrftoken": token, "version": "1", "reviewed": "1"})
    assert ok_form.status_code == 302 and record(path, ids[RECS_V1[1][1]])["reviewed_by"] == "admin"


@pytest.mark.asyncio
async def test_correction_form_without_csrf_or_permission_is_403(ds, db):
    path, ids = db
    rid = ids[FIRST]
    admin = {"ds_actor": actor_cookie(ds, {"id": "admin"})}
    no_csrf = await ds.client.post(page(rid), cookies=admin, data={"version": "1", "theme": "x"})
    assert no_csrf.status_code == 403
    cookies, token, text = await open_form(ds, rid, {"ds_actor": actor_cookie(ds, {"id": "eve"})})
    assert 'class="edit correct"' not in text
    reader = await ds.client.post(page(rid), cookies=cookies, data={"csrftoken": token, "version": "1", "theme": "x"})
    assert reader.status_code == 403
    assert history(path, rid) == []


# ---------------------------------------------------------------- creation


@pytest.mark.asyncio
async def test_create_by_quote_and_by_offsets_201(ds, db):
    path, ids = db
    response = await ds.client.post(CREATE, headers=bearer(), json={"document_id": "meeting", "quote": MANUAL_QUOTE})
    assert response.status_code == 201, response.text
    data = response.json()
    new_id = data["id"]
    assert data["ok"] and response.headers["location"] == page(new_id) and data["url"] == page(new_id)
    rec = record(path, new_id)
    assert (rec["origin"], rec["extracted"], rec["reviewed_by"], rec["text"]) == ("manual", 0, "api", MANUAL_QUOTE)
    (h,) = history(path, new_id)
    assert json.loads(h["changes"])["origin"] == [None, "manual"]
    text = rows(path, "select text from documents")[0]["text"]
    start = text.index("We will take that forward.")
    second = await ds.client.post(CREATE, headers=bearer(), json={
        "document_id": "meeting", "char_start": start, "char_end": start + len("We will take that forward."),
        "kind": "commitment", "actors": [{"name": "The Committee", "kind": "legislature"}], "note": "missed"})
    assert second.status_code == 201, second.text
    rec2 = record(path, second.json()["id"])
    assert (rec2["kind"], rec2["actor_id"]) == ("commitment", "the-committee")
    page_html = (await ds.client.get(page(new_id))).text
    assert "added by hand" in page_html and "by api" in page_html
    # highlighted on the document page
    doc_html = (await ds.client.get("/-/rectrack/documents/meeting")).text
    assert f'data-id="{new_id}"' in doc_html


@pytest.mark.asyncio
@pytest.mark.parametrize("body,status,field", [
    ({"quote": MANUAL_QUOTE}, 400, "document_id"),
    ({"document_id": "meeting", "quote": "Never said."}, 400, "quote"),
    ({"document_id": "meeting", "quote": "should"}, 400, "quote"),
    ({"document_id": "meeting", "char_start": 0, "char_end": 9}, 400, "char_start"),
    ({"document_id": "meeting", "quote": MANUAL_QUOTE, "strength": "maybe"}, 400, "strength"),
    ({"document_id": "meeting", "quote": MANUAL_QUOTE, "colour": "red"}, 400, "colour"),
    ({"document_id": "nope", "quote": MANUAL_QUOTE}, 404, None),
    ({"document_id": "meeting", "quote": FIRST}, 409, None),
])
async def test_create_errors(ds, db, body, status, field):
    path, ids = db
    response = await ds.client.post(CREATE, headers=bearer(), json=body)
    assert response.status_code == status, response.text
    data = response.json()
    assert data["ok"] is False
    if field:
        assert data["field"] == field and data["error"].startswith(field + ":")
    assert rows(path, "select count(*) as n from recommendations where origin = 'manual'")[0]["n"] == 0


@pytest.mark.asyncio
async def test_create_403_without_permission_or_csrf_and_bad_json(ds, db):
    path, ids = db
    body = {"document_id": "meeting", "quote": MANUAL_QUOTE}
    assert (await ds.client.post(CREATE, json=body)).status_code == 403
    assert (await ds.client.post(CREATE, headers={"Authorization": "Bearer wrong"}, json=body)).status_code == 403
    cookie_no_csrf = await ds.client.post(CREATE, cookies={"ds_actor": actor_cookie(ds, {"id": "admin"})}, json=body)
    assert cookie_no_csrf.status_code == 403
    bad = await ds.client.post(CREATE, headers={**bearer(), "content-type": "application/json"}, content=b"{x")
    assert bad.status_code == 400 and bad.json()["field"] == "body"
    assert (await ds.client.get(CREATE)).status_code == 405
    assert rows(path, "select count(*) as n from recommendations where origin = 'manual'")[0]["n"] == 0


@pytest.mark.asyncio
async def test_guess_json(ds, db):
    path, ids = db
    text = rows(path, "select text from documents")[0]["text"]
    quote = "the Secretariat must train all staff before deployment."
    start = text.index(quote)
    response = await ds.client.get(f"/-/rectrack/guess.json?document_id=meeting&char_start={start}"
                                   f"&char_end={start + len(quote)}")
    assert response.status_code == 200
    data = response.json()
    assert (data["actor"], data["strength"], data["text"], data["turn_seq"]) == ("UN Secretariat", "must", quote, 2)
    bad = await ds.client.get("/-/rectrack/guess.json?document_id=meeting&quote=Never")
    assert bad.status_code == 400 and bad.json()["field"] == "quote"
    assert (await ds.client.get("/-/rectrack/guess.json?document_id=nope&quote=x")).status_code == 404


# ---------------------------------------------------------------- queue, dashboard, actor filters


@pytest.mark.asyncio
async def test_review_queue_page(ds, db):
    path, ids = db
    empty_scope = await ds.client.get("/-/rectrack/review?document=nope")
    assert empty_scope.status_code == 404
    html = (await ds.client.get("/-/rectrack/review?document=meeting")).text
    assert "0 of 6 reviewed" in html and html.count('class="review-item') == 6
    assert "Sign in" in html and 'data-action="ok"' not in html
    rid = ids[FIRST]
    await ds.client.post(page(rid), headers=bearer(), json={"reviewed": True, "version": 1})
    admin = {"ds_actor": actor_cookie(ds, {"id": "admin"})}
    html = (await ds.client.get("/-/rectrack/review", cookies=admin)).text
    assert "1 of 6 reviewed" in html and html.count('class="review-item') == 5
    assert f'data-id="{rid}"' not in html.split("Recently reviewed")[0]
    assert 'data-action="ok"' in html and "review-queue.js" in html
    recent = html.split("Recently reviewed")[1]
    assert "api" in recent and "kept" in recent


@pytest.mark.asyncio
async def test_queue_is_least_confident_first(ds, db):
    path, ids = db
    conn_rows = rows(path, "select id from recommendations order by char_start")
    import sqlite3

    conn = sqlite3.connect(path)
    for n, r in enumerate(conn_rows):
        conn.execute("update recommendations set confidence = ? where id = ?", (0.9 - n * 0.1, r["id"]))
    conn.commit()
    conn.close()
    html = (await ds.client.get("/-/rectrack/review")).text
    order = [line.split('data-id="')[1].split('"')[0] for line in html.splitlines() if 'class="review-item' in line]
    assert order == [r["id"] for r in reversed(conn_rows)]


@pytest.mark.asyncio
async def test_dashboard_shows_reviewed_share(ds, db):
    path, ids = db
    await ds.client.post(page(ids[FIRST]), headers=bearer(), json={"reviewed": True, "version": 1})
    html = (await ds.client.get("/-/rectrack/dashboard")).text
    assert "17%</span> reviewed (1 of 6)" in html
    assert 'href="/-/rectrack/review"' in html


@pytest.mark.asyncio
async def test_every_actor_counts_in_summary_dashboard_and_view(ds, db):
    path, ids = db
    rid = ids[FIRST]
    response = await ds.client.post(page(rid), headers=bearer(), json={
        "actors": ["Security Council", {"name": "Regional Organisations", "kind": "organization"}], "version": 1})
    assert response.status_code == 200
    summary = (await ds.client.get("/-/rectrack/summary.json?actor=regional-organisations")).json()
    assert summary["total"] == 1
    assert (await ds.client.get("/-/rectrack/summary.json?actor=security-council")).json()["total"] == 1
    by_actor = {r["actor_id"]: r["n"] for r in (await ds.client.get("/-/rectrack/summary.json")).json()["by_actor"]}
    assert by_actor["regional-organisations"] == 1 and by_actor["security-council"] == 1
    assert sum(by_actor.values()) == 7  # six recommendations, one with two actors
    dash = (await ds.client.get("/-/rectrack/dashboard?actor=regional-organisations")).text
    assert "Regional Organisations" in dash
    view = (await ds.client.get("/rectrack/recommendations_by_actor.json?actor_id=regional-organisations"
                                "&_shape=array")).json()
    assert [r["recommendation_id"] for r in view] == [rid]
    facets = (await ds.client.get("/rectrack/recommendations_by_actor.json")).json()
    assert {"value": "regional-organisations", "count": 1} in [
        {"value": f["value"], "count": f["count"]} for f in facets["facet_results"]["actor_id"]["results"]]


@pytest.mark.asyncio
async def test_commitment_kind_leaves_the_recommendation_counts(ds, db):
    path, ids = db
    before = (await ds.client.get("/-/rectrack/summary.json")).json()["total"]
    await ds.client.post(page(ids[FIRST]), headers=bearer(), json={"kind": "commitment", "version": 1})
    assert (await ds.client.get("/-/rectrack/summary.json")).json()["total"] == before - 1


@pytest.mark.asyncio
async def test_document_page_offers_adding_only_to_editors(ds, db):
    anonymous = (await ds.client.get("/-/rectrack/documents/meeting")).text
    assert "review-add.js" not in anonymous
    admin = (await ds.client.get("/-/rectrack/documents/meeting",
                                 cookies={"ds_actor": actor_cookie(ds, {"id": "admin"})})).text
    assert "review-add.js" in admin and 'id="rectrack-add-data"' in admin
    data = json.loads(admin.split('id="rectrack-add-data">')[1].split("</script>")[0])
    assert data["document_id"] == "meeting" and data["create_url"] == CREATE and "1" in data["turn_starts"]


@pytest.mark.asyncio
async def test_history_shows_corrections_readably(ds, db):
    path, ids = db
    rid = ids[FIRST]
    await ds.client.post(page(rid), headers=bearer(), json={
        "actors": ["Security Council", "Member States"], "theme": "protection", "version": 1})
    html = (await ds.client.get(page(rid))).text
    assert "Actors: Security Council &rarr; Security Council; Member States" in html
    assert "Theme: mandates &rarr; protection" in html and "Reviewed: False &rarr; True" in html


@pytest.mark.asyncio
@pytest.mark.parametrize("data,message", [
    ({"strength": "maybe"}, "Not saved: strength: &#39;maybe&#39; is not a strength"),
    ({"char_start": "0", "char_end": "9"}, "Not saved: char_start: the span 0-9 must lie inside turn 2"),
    ({"version": "9", "theme": "x"}, "Not saved: someone else changed this recommendation"),
])
async def test_correction_form_errors_flash(ds, db, data, message):
    path, ids = db
    rid = ids[FIRST]
    cookies, token, _ = await open_form(ds, rid, {"ds_actor": actor_cookie(ds, {"id": "admin"})})
    response = await ds.client.post(page(rid), cookies=cookies, data={"csrftoken": token, "version": "1", **data})
    assert response.status_code == 302
    after = await ds.client.get(page(rid), cookies={**cookies, "ds_messages": response.cookies["ds_messages"]})
    assert message in after.text
    assert history(path, rid) == []


@pytest.mark.asyncio
async def test_commitment_kind_shows_on_the_page(ds, db):
    path, ids = db
    rid = ids[FIRST]
    await ds.client.post(page(rid), headers=bearer(), json={"kind": "commitment", "version": 1})
    html = (await ds.client.get(page(rid))).text
    assert "<h1>Commitment <span" in html and "Kind: recommendation &rarr; commitment" in html


@pytest.mark.asyncio
async def test_dashboard_actor_bars_link_to_every_actor_view(ds, db):
    path, ids = db
    await ds.client.post(page(ids[FIRST]), headers=bearer(), json={
        "actors": ["Security Council", {"name": "Regional Organisations", "kind": "organization"}], "version": 1})
    html = (await ds.client.get("/-/rectrack/dashboard")).text
    specs = json.loads(html.split('id="rectrack-specs">')[1].split("</script>")[0])
    # the further actor has a bar of its own; a bar of one recommendation opens that recommendation
    (bar,) = [b for b in specs["actor"]["data"]["values"] if b["key"] == "regional-organisations"]
    assert bar["n"] == 1 and bar["href"] == f"/-/rectrack/recommendations/{ids[FIRST]}"
    second = RECS_V1[1][1]
    await ds.client.post(page(ids[second]), headers=bearer(), json={
        "actors": ["Member States", "Regional Organisations"], "version": 1})
    html = (await ds.client.get("/-/rectrack/dashboard")).text
    specs = json.loads(html.split('id="rectrack-specs">')[1].split("</script>")[0])
    hrefs = [r["href"] for r in specs["actor"]["data"]["values"]]
    # a bar of several recommendations opens the view that lists every actor of a recommendation
    assert "/rectrack/recommendations_by_actor?actor_id=regional-organisations&status=proposed" in hrefs
    linked = (await ds.client.get("/rectrack/recommendations_by_actor.json?actor_id=regional-organisations"
                                  "&status=proposed&_shape=array")).json()
    assert sorted(r["recommendation_id"] for r in linked) == sorted([ids[FIRST], ids[second]])
