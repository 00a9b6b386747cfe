"""Corrections and manual additions (loader.review), the queue (loader.review_queue) and the
extractor's guesses for a span (loader.guess), on a real SQLite file; and that every kind of
correction and a manual addition survive reloads."""
import json

import pytest

from loader import review, review_queue, store, tracking
from loader.guess import guess_span
from test_reload import corrected_specs, corrected_turns
from tracking_helpers import RECS_V1, build_document, make_recs

MANUAL_QUOTE = "We begin with the report on protection of civilians."


@pytest.fixture
def conn(tmp_path):
    c = store.connect(tmp_path / "rectrack.db")
    doc = build_document()
    store.store_document(c, doc, make_recs(doc), [])
    yield c
    c.close()


def ids(conn):
    by_text = {r[1]: r[0] for r in conn.execute("select id, text from recommendations")}
    return [by_text[quote] for _seq, quote, *_ in RECS_V1]


def correct(conn, rid, changes, who="ana"):
    version = tracking.get_record(conn, rid)["version"]
    return review.update_item(conn, rid, changes, version, who)


def doc_text(conn):
    return conn.execute("select text from documents").fetchone()[0]


# ---------------------------------------------------------------- corrections


def test_actors_existing_and_new_with_history(conn):
    rid = ids(conn)[0]
    result = correct(conn, rid, {"actors": ["Member States", {"name": "Regional Organisations", "kind": "organization"}]})
    rec = result["recommendation"]
    assert rec["actor_id"] == "member-states" and rec["version"] == 2
    assert [a["name"] for a in review.get_actors(conn, rid)] == ["Member States", "Regional Organisations"]
    assert conn.execute("select kind from actors where id = 'regional-organisations'").fetchone()[0] == "organization"
    changes = result["change"]["changes"]
    assert changes["actors"] == [["Security Council"], ["Member States", "Regional Organisations"]]
    assert changes["reviewed"] == [False, True]
    assert rec["reviewed_by"] == "ana" and rec["reviewed_at"]
    assert json.loads(rec["corrected"]) == ["actors"]


def test_theme_strength_kind_each_recorded(conn):
    rid = ids(conn)[1]
    result = correct(conn, rid, {"theme": "staff training", "strength": "should", "kind": "commitment",
                                 "note": "a pledge really"})
    rec, change = result["recommendation"], result["change"]
    assert (rec["theme"], rec["strength"], rec["kind"]) == ("staff training", "should", "commitment")
    assert change["changes"]["theme"] == ["training", "staff training"]
    assert change["changes"]["strength"] == ["must", "should"]
    assert change["changes"]["kind"] == ["recommendation", "commitment"]
    assert change["note"] == "a pledge really"
    back = correct(conn, rid, {"kind": "recommendation"})
    assert back["recommendation"]["kind"] == "recommendation"
    assert len(tracking.get_history(conn, rid)) == 2  # history kept across the kind change


def test_span_is_resliced_inside_the_turn(conn):
    rid = ids(conn)[3]
    rec = tracking.get_record(conn, rid)
    start = rec["char_start"]
    end = start + len("Member States should share early-warning information")
    result = correct(conn, rid, {"char_start": start, "char_end": end})
    now = result["recommendation"]
    assert now["text"] == doc_text(conn)[start:end] == "Member States should share early-warning information"
    assert result["change"]["changes"]["char_end"] == [rec["char_end"], end]
    assert result["change"]["changes"]["text"] == [rec["text"], now["text"]]


@pytest.mark.parametrize("changes,field", [
    ({"actors": []}, "actors"),
    ({"actors": ["A", "a"]}, "actors"),
    ({"actors": [{"name": "X", "colour": "red"}]}, "actors"),
    ({"theme": ""}, "theme"),
    ({"strength": "maybe"}, "strength"),
    ({"kind": "question"}, "kind"),
    ({"reviewed": "perhaps"}, "reviewed"),
    ({"char_start": -1}, "char_start"),
    ({"char_start": 0, "char_end": 10}, "char_start"),  # outside the turn
    ({"colour": "red"}, "colour"),
])
def test_bad_corrections_name_the_field_and_write_nothing(conn, changes, field):
    rid = ids(conn)[0]
    with pytest.raises(tracking.InvalidValue) as err:
        correct(conn, rid, changes)
    assert err.value.field == field
    assert tracking.get_history(conn, rid) == [] and tracking.get_record(conn, rid)["version"] == 1


def test_span_past_the_turn_end_names_char_end(conn):
    rid = ids(conn)[0]
    rec = tracking.get_record(conn, rid)
    with pytest.raises(tracking.InvalidValue) as err:
        correct(conn, rid, {"char_end": rec["char_end"] + 400})
    assert err.value.field == "char_end"


def test_reviewed_and_dismiss_mark_reviewed_and_no_op_writes_nothing(conn):
    a, b = ids(conn)[:2]
    assert correct(conn, a, {"reviewed": True})["change"]["changes"] == {"reviewed": [False, True]}
    assert correct(conn, a, {"reviewed": True})["changed"] is False
    assert correct(conn, a, {"theme": "mandates"})["changed"] is False  # the same theme: nothing to record
    dismissed = correct(conn, b, {"status": "dismissed"}, who="bo")["recommendation"]
    assert dismissed["reviewed_by"] == "bo"


def test_stale_version_and_unknown_id(conn):
    rid = ids(conn)[0]
    correct(conn, rid, {"theme": "x"})
    with pytest.raises(tracking.StaleVersion):
        review.update_item(conn, rid, {"theme": "y"}, 1, "ana")
    with pytest.raises(tracking.RecommendationNotFound):
        review.update_item(conn, "rnope", {"theme": "y"}, 1, "ana")


# ---------------------------------------------------------------- manual additions


def test_create_by_quote_guesses_and_records(conn):
    result = review.create_item(conn, {"document_id": "meeting", "quote": MANUAL_QUOTE}, "ana")
    rec = result["recommendation"]
    assert result["id"].startswith("m") and rec["origin"] == "manual" and rec["extracted"] == 0
    assert rec["text"] == doc_text(conn)[rec["char_start"]:rec["char_end"]] == MANUAL_QUOTE
    assert rec["turn_id"] == "meeting:1" and rec["speaker_id"] == "meeting:chair"
    assert rec["reviewed_by"] == "ana" and rec["strength"] == "should" and rec["kind"] == "recommendation"
    (h,) = tracking.get_history(conn, result["id"])
    assert h["changes"]["origin"] == [None, "manual"] and h["changed_by"] == "ana"


def test_create_by_offsets_with_fields(conn):
    text = doc_text(conn)
    start = text.index(MANUAL_QUOTE)
    result = review.create_item(conn, {"document_id": "meeting", "char_start": start - 1,
                                       "char_end": start + len(MANUAL_QUOTE), "kind": "commitment",
                                       "actors": ["The Chair"], "theme": "agenda", "strength": "could"}, "ana")
    rec = result["recommendation"]
    assert rec["char_start"] == start  # the leading space is trimmed
    assert (rec["kind"], rec["actor_id"], rec["theme"], rec["strength"]) == ("commitment", "the-chair", "agenda", "could")


@pytest.mark.parametrize("body,field", [
    ({"quote": MANUAL_QUOTE}, "document_id"),
    ({"document_id": "meeting", "quote": "Nobody said this."}, "quote"),
    ({"document_id": "meeting", "quote": "should"}, "quote"),  # ambiguous
    ({"document_id": "meeting", "char_start": 0, "char_end": 5}, "char_start"),  # the title, not a turn
    ({"document_id": "meeting", "char_start": 100, "char_end": 90}, "char_end"),
    ({"document_id": "meeting", "char_start": 100}, "char_start"),
    ({"document_id": "meeting", "quote": MANUAL_QUOTE, "colour": "red"}, "colour"),
    ({"document_id": "meeting", "quote": MANUAL_QUOTE, "strength": "maybe"}, "strength"),
])
def test_create_errors_name_the_field(conn, body, field):
    with pytest.raises(tracking.InvalidValue) as err:
        review.create_item(conn, body, "ana")
    assert err.value.field == field
    assert conn.execute("select count(*) from recommendations where origin = 'manual'").fetchone()[0] == 0


def test_create_unknown_document_and_duplicate(conn):
    with pytest.raises(review.DocumentNotFound):
        review.create_item(conn, {"document_id": "nope", "quote": "x"}, "ana")
    with pytest.raises(review.DuplicateItem):
        review.create_item(conn, {"document_id": "meeting", "quote": RECS_V1[0][1]}, "ana")


def test_guess_span_uses_the_extractor_rules():
    doc = build_document()
    quote = "the Secretariat must train all staff before deployment."
    start = doc.text.index(quote)
    guess = guess_span(doc.text, doc.turns[1], start, start + len(quote))
    assert guess["actor"] == "UN Secretariat" and guess["strength"] == "must"
    assert guess["theme"] == "training and preparedness" and guess["kind"] == "recommendation"


# ---------------------------------------------------------------- queue


def test_queue_least_confident_first_and_progress(tmp_path):
    c = store.connect(tmp_path / "q.db")
    doc = build_document()
    recs = make_recs(doc)
    for r, conf in zip(recs, (0.9, 0.3, 0.5, 0.8, 0.7, 0.6)):
        r.confidence = conf
    store.store_document(c, doc, recs, [])
    assert review_queue.progress(c) == {"reviewed": 0, "total": 6, "share": 0.0}
    items = review_queue.queue(c)
    assert [i["confidence"] for i in items] == [0.3, 0.5, 0.6, 0.7, 0.8, 0.9]
    first = items[0]
    assert first["quote"] == RECS_V1[1][1] and first["before"].startswith("Thank you.")
    assert first["actors"] == "Secretariat"
    review.update_item(c, first["id"], {"reviewed": True}, 1, "ana")
    assert review_queue.progress(c, "meeting")["reviewed"] == 1
    assert first["id"] not in [i["id"] for i in review_queue.queue(c)]
    assert review_queue.reviewed_items(c)[0]["reviewed_by"] == "ana"
    c.close()


# ---------------------------------------------------------------- reloads keep every correction


def apply_all_corrections(conn):
    """One correction of each kind, one "looks right" and one manual addition."""
    i = ids(conn)
    rec3 = tracking.get_record(conn, i[3])
    correct(conn, i[0], {"actors": ["Security Council", {"name": "Regional Organisations", "kind": "organization"}]})
    correct(conn, i[1], {"theme": "staff training"})
    correct(conn, i[2], {"strength": "should"})
    correct(conn, i[3], {"char_start": rec3["char_start"],
                         "char_end": rec3["char_start"] + len("Member States should share early-warning information")})
    correct(conn, i[4], {"kind": "commitment"})
    correct(conn, i[5], {"reviewed": True})
    manual = review.create_item(conn, {"document_id": "meeting", "quote": MANUAL_QUOTE,
                                       "actors": ["Member States"], "theme": "agenda"}, "ana")["id"]
    return [*i, manual]


HUMAN = ("origin", "reviewed_at", "reviewed_by", "corrected", "version", "status")
# what each row of apply_all_corrections had corrected (the manual row: everything)
CORRECTED = [("actor_id",), ("theme",), ("strength",), ("text",), ("kind",), (),
             ("actor_id", "theme", "strength", "kind", "text")]


def snapshot(conn, rids):
    out = {}
    for rid, fields in zip(rids, CORRECTED):
        rec = tracking.get_record(conn, rid)
        actors = [a["id"] for a in review.get_actors(conn, rid)] if "actor_id" in fields else None
        out[rid] = ({f: rec[f] for f in (*HUMAN, *fields)}, actors, tracking.get_history(conn, rid))
    return out


def v2_specs():
    """A changed extractor: other themes, actors and strengths everywhere, one span longer, the
    kind-corrected item no longer found, and the sentence added by hand now found."""
    specs = corrected_specs(1)
    changed = [(seq, quote, "Unspecified", "other", "could") for seq, quote, *_ in specs]
    changed[2] = (specs[2][0], "Donors could fund scenario-based planning", "Donors", "other", "could")
    del changed[4]
    changed.append((2, "Welcome, all. " + MANUAL_QUOTE, "Unspecified", "other", "could"))
    return changed


def reloaded(reload: str):
    """The document and recommendation specs of a reload: the "same file", one with "shifted
    offsets", or the same text under a "changed lexicon"."""
    if reload == "same file":
        return build_document(), RECS_V1
    if reload == "shifted offsets":
        return build_document(corrected_turns(True)), corrected_specs(1)
    return build_document(corrected_turns(True)), v2_specs()


@pytest.mark.parametrize("reload", ["same file", "shifted offsets", "changed lexicon"])
def test_every_correction_and_manual_addition_survive_a_reload(conn, reload):
    rids = apply_all_corrections(conn)
    before = snapshot(conn, rids)
    span_text = tracking.get_record(conn, rids[3])["text"]
    doc, specs = reloaded(reload)
    store.store_document(conn, doc, make_recs(doc, specs), [])
    assert snapshot(conn, rids) == before
    text = doc_text(conn)
    for rid in rids:
        rec = tracking.get_record(conn, rid)
        assert text[rec["char_start"]:rec["char_end"]] == rec["text"], rid
    assert tracking.get_record(conn, rids[3])["text"] == span_text
    manual = tracking.get_record(conn, rids[-1])
    assert manual["text"] == MANUAL_QUOTE and manual["origin"] == "manual"
    if reload == "changed lexicon":
        assert tracking.get_record(conn, rids[4])["extracted"] == 0  # no longer found, kept
        assert manual["extracted"] == 1  # the extractor now finds what a person added
        assert tracking.get_record(conn, rids[5])["theme"] == "other"  # not corrected: follows the extractor
    if reload == "shifted offsets":
        assert tracking.get_record(conn, rids[3])["turn_id"] == "meeting:4"
        assert manual["turn_id"] == "meeting:2"


def test_old_database_gets_one_actor_link_per_row(tmp_path):
    path = tmp_path / "old.db"
    c = store.connect(path)
    doc = build_document()
    store.store_document(c, doc, make_recs(doc), [])
    c.execute("drop view recommendations_by_actor")
    c.execute("drop table recommendation_actors")
    c.execute("drop index idx_recs_kind")
    for (trigger,) in c.execute("select name from sqlite_master where type = 'trigger' "
                                "and name like 'recommendation_counts%'").fetchall():  # they name kind
        c.execute(f"drop trigger {trigger}")
    for column in ("origin", "kind", "reviewed_at", "reviewed_by", "corrected"):  # as before this feature
        c.execute(f"alter table recommendations drop column {column}")
    c.commit()
    c.close()
    c = store.connect(path)
    assert c.execute("select count(*) from recommendation_actors").fetchone()[0] == 6
    assert c.execute("select count(*) from recommendations_by_actor").fetchone()[0] == 6
    rid = ids(c)[0]
    assert tracking.get_record(c, rid)["origin"] == "extracted"
    assert correct(c, rid, {"kind": "commitment", "reviewed": True})["recommendation"]["kind"] == "commitment"
    c.close()


def test_browse_counts_see_every_actor_and_leave_out_commitments(conn):
    from loader import browse

    i = ids(conn)
    correct(conn, i[0], {"actors": ["Security Council", {"name": "Regional Organisations", "kind": "organization"}]})
    correct(conn, i[1], {"kind": "commitment"})
    f = browse.Filters(actor="regional-organisations")
    assert browse._rows(conn, browse.total_sql(f))[0]["n"] == 1
    chart = browse._rows(conn, browse.status_by_sql("actor", browse.Filters()))
    assert {"key": "regional-organisations", "label": "Regional Organisations", "status": "proposed", "n": 1,
            "one_id": i[0]} in chart
    assert sum(r["n"] for r in chart) == 6  # five recommendations (one is now a commitment), one with two actors
    options = {o["value"]: o["n"] for o in browse.filter_options(conn)["actor"]}
    assert options["regional-organisations"] == 1
    assert browse._rows(conn, browse.total_sql(browse.Filters()))[0]["n"] == 5
    summary = browse.compute_summary(conn, browse.Filters(actor="security-council"))
    assert summary["total"] == 1 and summary["by_status"]["proposed"] == 1


def test_queue_context_starts_and_ends_on_whole_words():
    from loader.review_queue import CONTEXT, in_context

    words = " ".join(f"word{i:04d}" for i in range(CONTEXT))  # far longer than the context kept; 9 characters a word
    quote = "The Council must act."
    turn_text = words + " " + quote + " " + words
    got = in_context({"text": quote, "turn_text": turn_text, "char_start": None})
    assert got["quote"] == quote
    assert got["before"].startswith("\u2026word") and got["before"].endswith(" ")
    assert got["after"].startswith(" word") and got["after"].endswith("\u2026")
    assert got["after"][:-1].split()[-1].startswith("word") and len(got["after"][:-1].split()[-1]) == 8
