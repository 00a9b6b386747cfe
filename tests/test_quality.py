"""``rectrack eval --db`` and ``rectrack export-gold`` on a small database built here, with the
figures worked out by hand; and the review commands ``rectrack set`` / ``rectrack add``."""
import json

import pytest
from click.testing import CliRunner

from loader import quality, review, store, tracking
from loader.cli import cli, eval_figures
from test_review import MANUAL_QUOTE
from tracking_helpers import RECS_V1, build_document, make_recs, rows

OTHER_TURNS = [
    ("chair", "The Chair", "Opening remarks. The Council should meet monthly on this file."),
    ("bob-jones", "Bob Jones", "Member States must pay their contributions on time. It rained all week."),
]
OTHER_RECS = [(1, "The Council should meet monthly on this file.", "Security Council", "mandates", "should"),
              (2, "Member States must pay their contributions on time.", "Member States", "resources", "must"),
              (2, "It rained all week.", "Unspecified", "other", "could")]


def set_(conn, rid, changes):
    return review.update_item(conn, rid, changes, tracking.get_record(conn, rid)["version"], "ana")


@pytest.fixture
def db(tmp_path):
    """Three documents.

    meeting (reviewed): r0 looks right; r1 actors corrected; r2 dismissed; r3 theme corrected;
    r4 reclassified as a commitment; r5 looks right; one recommendation and one commitment added by
    hand. By hand: tp 4 (r0 r1 r3 r5), fp 2 (r2 r4), fn 1 (the added recommendation; the added
    commitment is not a recommendation); actors right 3 of 4 (r1 wrong).
    second (reviewed): s0 right, s1 right, s2 dismissed: tp 2, fp 1, fn 0; actors right 2 of 2.
    third (partly reviewed: one of two): skipped.
    Pooled: tp 6, fp 3, fn 1 -> P 6/9, R 6/7; actors right 5 of 6.
    """
    path = tmp_path / "rectrack.db"
    conn = store.connect(path)
    doc = build_document()
    store.store_document(conn, doc, make_recs(doc), [])
    second = build_document(OTHER_TURNS, doc_id="second")
    store.store_document(conn, second, make_recs(second, OTHER_RECS), [])
    third = build_document(OTHER_TURNS, doc_id="third")
    store.store_document(conn, third, make_recs(third, OTHER_RECS[:2]), [])
    by = {(r[1], r[2]): r[0] for r in conn.execute("select id, document_id, text from recommendations")}
    m = [by[("meeting", q)] for _s, q, *_ in RECS_V1]
    set_(conn, m[0], {"reviewed": True})
    set_(conn, m[1], {"actors": ["UN Secretariat", "Member States"]})
    set_(conn, m[2], {"status": "dismissed"})
    set_(conn, m[3], {"theme": "early warning"})
    set_(conn, m[4], {"kind": "commitment"})
    set_(conn, m[5], {"reviewed": True})
    review.create_item(conn, {"document_id": "meeting", "quote": MANUAL_QUOTE}, "ana")
    review.create_item(conn, {"document_id": "meeting", "quote": "We will take that forward.", "kind": "commitment"},
                       "ana")
    s = [by[("second", q)] for _s, q, *_ in OTHER_RECS]
    set_(conn, s[0], {"reviewed": True})
    set_(conn, s[1], {"reviewed": True, "theme": "budget"})
    set_(conn, s[2], {"status": "dismissed"})
    set_(conn, by[("third", OTHER_RECS[0][1])], {"reviewed": True})
    conn.close()
    return path


def test_eval_db_figures_worked_out_by_hand(db):
    conn = store.connect(db)
    figs = quality.eval_db(conn)
    conn.close()
    by_doc = {d["document_id"]: d for d in figs["documents"]}
    assert set(by_doc) == {"meeting", "second"}
    m = by_doc["meeting"]
    assert (m["tp"], m["fp"], m["fn"]) == (4, 2, 1)
    assert m["precision"] == pytest.approx(4 / 6) and m["recall"] == pytest.approx(4 / 5)
    assert m["f1"] == pytest.approx(2 * (4 / 6) * (4 / 5) / (4 / 6 + 4 / 5))
    assert (m["actor_right"], m["actor_n"], m["actor_accuracy"]) == (3, 4, 0.75)
    s = by_doc["second"]
    assert (s["tp"], s["fp"], s["fn"], s["actor_accuracy"]) == (2, 1, 0, 1.0)
    p = figs["pooled"]
    assert (p["tp"], p["fp"], p["fn"]) == (6, 3, 1)
    assert p["precision"] == pytest.approx(6 / 9) and p["recall"] == pytest.approx(6 / 7)
    assert p["actor_accuracy"] == pytest.approx(5 / 6)
    assert [d["document_id"] for d in figs["partly_reviewed"]] == ["third"]


def test_eval_db_command_prints_per_document_and_pooled(db):
    result = CliRunner().invoke(cli, ["eval", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    meeting = next(line for line in lines if line.startswith("meeting"))
    assert "P 0.67  R 0.80  F1 0.73  actor accuracy 0.75  (tp 4, fp 2, fn 1, actors right 3 of 4)" in meeting
    pooled = next(line for line in lines if line.startswith("Pooled (2 document(s))"))
    assert "P 0.67  R 0.86  F1 0.75  actor accuracy 0.83" in pooled
    assert "Skipped third: 1 extracted item(s) not reviewed yet" in result.output


def test_eval_needs_gold_or_db(db):
    both = CliRunner().invoke(cli, ["eval", "--db", str(db), "--gold", str(db.parent)])
    assert both.exit_code != 0 and "give --gold DIR, --db FILE or --corpus DIR" in both.output
    neither = CliRunner().invoke(cli, ["eval"])
    assert neither.exit_code != 0 and "Traceback" not in neither.output


def test_eval_db_with_nothing_reviewed(tmp_path):
    path = tmp_path / "empty.db"
    conn = store.connect(path)
    doc = build_document()
    store.store_document(conn, doc, make_recs(doc), [])
    conn.close()
    result = CliRunner().invoke(cli, ["eval", "--db", str(path)])
    assert result.exit_code == 0 and "No reviewed documents yet" in result.output


def test_export_gold_is_read_by_eval_gold(db, tmp_path):
    out = tmp_path / "gold"
    result = CliRunner().invoke(cli, ["export-gold", "--db", str(db), str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["meeting", "second"]
    items = json.loads((out / "meeting" / "gold_recommendations.json").read_text())
    # kept r0 r1 r3 r5 and the added one, in document order; not the dismissed or the commitments
    assert [i["quote"] for i in items] == [MANUAL_QUOTE, RECS_V1[0][1], RECS_V1[1][1], RECS_V1[3][1], RECS_V1[5][1]]
    corrected = next(i for i in items if i["quote"] == RECS_V1[1][1])
    assert corrected["actor"] == "UN Secretariat" and corrected["actors_all"] == ["UN Secretariat", "Member States"]
    assert {"id", "speaker", "quote", "actor", "actor_text", "theme", "strength", "confidence"} <= set(corrected)
    text = (out / "meeting" / "meeting.txt").read_text()
    assert all(text.count(i["quote"]) == 1 for i in items)
    figs = eval_figures(out / "meeting", out / "meeting" / "meeting.txt")
    assert figs["recommendations"]["gold_clear"] == 5
    assert figs["commitments"] is None


# ---------------------------------------------------------------- rectrack set / add


def test_set_corrections_and_add_from_the_cli(tmp_path):
    from tracking_helpers import make_db

    path = tmp_path / "rectrack.db"
    ids = make_db(path)
    runner = CliRunner()
    rid = ids[RECS_V1[0][1]]
    rec = rows(path, "select * from recommendations where id = ?", (rid,))[0]
    r = runner.invoke(cli, ["set", rid, "--db", str(path), "--as", "ana", "--actor", "Security Council",
                            "--actor", "Local NGOs", "--actor-kind", "civil society", "--theme", "protection",
                            "--strength", "must", "--span", f"{rec['char_start']}:{rec['char_start'] + 40}",
                            "--kind", "commitment"])
    assert r.exit_code == 0, r.output
    assert "changed actors" in r.output and "(version 2)" in r.output
    now = rows(path, "select * from recommendations where id = ?", (rid,))[0]
    assert (now["theme"], now["strength"], now["kind"], now["reviewed_by"]) == ("protection", "must", "commitment", "ana")
    assert now["text"] == RECS_V1[0][1][:40]
    assert rows(path, "select kind from actors where id = 'local-ngos'")[0]["kind"] == "civil society"
    (h,) = rows(path, "select changes from status_changes where recommendation_id = ?", (rid,))
    assert set(json.loads(h["changes"])) == {"actors", "theme", "strength", "char_start", "char_end", "text", "kind",
                                             "reviewed"}
    other = ids[RECS_V1[1][1]]
    assert runner.invoke(cli, ["set", other, "--db", str(path), "--reviewed"]).exit_code == 0
    bad = runner.invoke(cli, ["set", other, "--db", str(path), "--strength", "maybe"])
    assert bad.exit_code != 0 and "strength: 'maybe' is not a strength" in bad.output
    bad_span = runner.invoke(cli, ["set", other, "--db", str(path), "--span", "12-14"])
    assert bad_span.exit_code != 0 and "--span" in bad_span.output

    added = runner.invoke(cli, ["add", "--db", str(path), "--document", "meeting", "--quote", MANUAL_QUOTE,
                                "--as", "ana"])
    assert added.exit_code == 0, added.output
    new_id = added.output.split(":")[0]
    (row,) = rows(path, "select * from recommendations where id = ?", (new_id,))
    assert row["origin"] == "manual" and row["text"] == MANUAL_QUOTE and row["reviewed_by"] == "ana"
    missing = runner.invoke(cli, ["add", "--db", str(path), "--document", "meeting", "--quote", "Never said."])
    assert missing.exit_code != 0 and "quote: not found" in missing.output and "Traceback" not in missing.output
    again = runner.invoke(cli, ["add", "--db", str(path), "--document", "meeting", "--quote", MANUAL_QUOTE])
    assert again.exit_code != 0 and "already covers exactly this span" in again.output


def test_seed_reviews_round_trip_through_export_gold(seed_db, tmp_path):
    """On the real seed (its id has an underscore): review every extracted item, dismiss three,
    add one by hand; the exported gold scores the re-extracted transcript exactly as eval --db does."""
    conn = store.connect(seed_db)
    recs = [dict(r) for r in conn.execute("select id, text from recommendations order by char_start")]
    for n, r in enumerate(recs):
        set_(conn, r["id"], {"status": "dismissed"} if n % 20 == 3 else {"reviewed": True})
    text = conn.execute("select text from documents").fetchone()[0]
    taken = [(a, b) for a, b in conn.execute("select char_start, char_end from recommendations")]
    taken += list(conn.execute("select char_start, char_end from commitments"))
    turn = next(t for t in conn.execute("select * from turns order by seq")
                if t["char_end"] - t["char_start"] > 400 and not any(t["char_start"] <= a < t["char_end"] for a, _ in taken))
    sentence_end = text.index(".", turn["char_end"] - 200) + 1
    added = review.create_item(conn, {"document_id": turn["document_id"], "char_start": turn["char_end"] - 200,
                                      "char_end": min(sentence_end, turn["char_end"])}, "ana")
    db_figs = quality.eval_db(conn)["pooled"]
    folder = quality.export_gold(conn, tmp_path / "gold")[0]
    conn.close()
    assert added["id"].startswith("m")
    dismissed = len([n for n in range(len(recs)) if n % 20 == 3])
    assert (db_figs["tp"], db_figs["fp"], db_figs["fn"]) == (len(recs) - dismissed, dismissed, 1)
    figs = eval_figures(folder, folder / f"{folder.name}.txt")["recommendations"]
    assert (figs["tp"], figs["fp"], figs["fn"]) == (db_figs["tp"], db_figs["fp"], db_figs["fn"])
    assert figs["actor_accuracy"] == 1.0  # nothing corrected: the gold actors are the extractor's
