"""loader.tracking: vocabulary, transitions, validation, updates with history, concurrency, CLI."""
import json
import sqlite3
import threading

import pytest
from click.testing import CliRunner

from loader import store, tracking
from loader.cli import cli
from tracking_helpers import RECS_V1, make_db, rows


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "rectrack.db"
    ids = make_db(path)
    return path, ids


@pytest.fixture
def conn(db):
    c = store.connect(db[0])
    yield c
    c.close()


def first_id(db):
    return db[1][RECS_V1[0][1]]


# ---------------------------------------------------------------- rules


def test_vocabulary_matches_schema_defaults():
    assert tracking.DEFAULT_STATUS == "proposed" and tracking.DEFAULT_PRIORITY == "normal"
    assert set(tracking.TRANSITIONS) == set(tracking.STATUSES)
    for old, nxt in tracking.TRANSITIONS.items():
        assert old not in nxt and set(nxt) <= set(tracking.STATUSES)


def test_every_status_reachable_from_proposed():
    seen, todo = {"proposed"}, ["proposed"]
    while todo:
        for nxt in tracking.allowed_next(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(tracking.STATUSES)


@pytest.mark.parametrize("old,new,ok", [
    ("proposed", "accepted", True),
    ("proposed", "implemented", True),
    ("proposed", "dismissed", True),
    ("accepted", "in_progress", True),
    ("in_progress", "implemented", True),
    ("implemented", "in_progress", True),
    ("declined", "proposed", True),
    ("dismissed", "proposed", True),
    ("implemented", "implemented", True),
    ("dismissed", "implemented", False),
    ("dismissed", "accepted", False),
    ("implemented", "proposed", False),
    ("implemented", "declined", False),
    ("in_progress", "proposed", False),
])
def test_check_transition(old, new, ok):
    if ok:
        tracking.check_transition(old, new)
    else:
        with pytest.raises(tracking.InvalidValue) as e:
            tracking.check_transition(old, new)
        assert e.value.field == "status"
        assert f"cannot go from {old} to {new}" in str(e.value)
        assert e.value.allowed == list(tracking.allowed_next(old))


@pytest.mark.parametrize("changes,field,fragment", [
    ({"status": "done"}, "status", "allowed: proposed, accepted"),
    ({"priority": "urgent"}, "priority", "allowed: high, normal, low"),
    ({"due_date": "31/12/2025"}, "due_date", "YYYY-MM-DD"),
    ({"due_date": "2025-02-30"}, "due_date", "not a valid date"),
    ({"due_date": 20250101}, "due_date", "YYYY-MM-DD"),
    ({"owner": 5}, "owner", "must be a string"),
    ({"owner": "x" * 201}, "owner", "at most 200"),
    ({"colour": "red"}, "colour", "unknown field"),
])
def test_validate_rejects(changes, field, fragment):
    with pytest.raises(tracking.InvalidValue) as e:
        tracking.validate_changes(changes)
    assert e.value.field == field
    assert fragment in str(e.value)


def test_validate_normalizes():
    assert tracking.validate_changes(
        {"owner": "  Ana  ", "due_date": " 2025-03-01 ", "follow_up": "", "note": None}
    ) == {"owner": "Ana", "due_date": "2025-03-01", "follow_up": None, "note": None}
    assert tracking.validate_changes({"due_date": ""}) == {"due_date": None}


@pytest.mark.parametrize("value,ok", [(1, True), ("3", True), (0, False), (-1, False), (None, False),
                                      ("x", False), (True, False), (1.5, False)])
def test_parse_version(value, ok):
    if ok:
        assert tracking.parse_version(value) == int(value)
    else:
        with pytest.raises(tracking.InvalidValue) as e:
            tracking.parse_version(value)
        assert e.value.field == "version"


def test_edit_allowed():
    config = {"edit": {"allow": {"id": ["admin", "api"]}}}
    assert tracking.edit_allowed({"id": "admin"}, config)
    assert tracking.edit_allowed({"id": "api"}, config)
    assert not tracking.edit_allowed({"id": "eve"}, config)
    assert not tracking.edit_allowed(None, config)
    # No configuration: nobody (not Datasette's "allow: null means everyone").
    assert not tracking.edit_allowed({"id": "admin"}, None)
    assert not tracking.edit_allowed({"id": "admin"}, {})


def test_highlight_picks_nearest_occurrence():
    text = "We should act. Later: We should act. End."
    assert tracking.highlight(text, "We should act.", 20) == ("We should act. Later: ", "We should act.", " End.")
    assert tracking.highlight(text, "We should act.", 0)[0] == ""
    assert tracking.highlight(text, "missing", 0) is None


# ---------------------------------------------------------------- updates


def test_update_writes_row_and_history(db, conn):
    rid = first_id(db)
    result = tracking.update_recommendation(
        conn, rid, {"status": "accepted", "owner": "Ana", "due_date": "2025-06-30", "note": "agreed"},
        1, {"id": "admin"},
    )
    rec = result["recommendation"]
    assert result["changed"] is True
    assert (rec["status"], rec["owner"], rec["due_date"], rec["version"], rec["updated_by"]) == (
        "accepted", "Ana", "2025-06-30", 2, "admin")
    (h,) = tracking.get_history(conn, rid)
    assert (h["from_status"], h["to_status"], h["changed_by"], h["note"]) == ("proposed", "accepted", "admin", "agreed")
    assert h["changes"] == {"status": ["proposed", "accepted"], "owner": [None, "Ana"],
                            "due_date": [None, "2025-06-30"]}
    assert h["changed_at"] == rec["updated_at"]
    # A second edit: only the changed fields are listed; status stays.
    tracking.update_recommendation(conn, rid, {"status": "accepted", "priority": "high"}, 2, "bob")
    history = tracking.get_history(conn, rid)
    assert [x["changes"] for x in history][1] == {"priority": ["normal", "high"]}
    assert (history[1]["from_status"], history[1]["to_status"]) == ("accepted", "accepted")


def test_note_only_is_recorded_and_noop_writes_nothing(db, conn):
    rid = first_id(db)
    res = tracking.update_recommendation(conn, rid, {"status": "proposed"}, 1, "ana")
    assert res["changed"] is False and res["change"] is None
    assert res["recommendation"]["version"] == 1 and tracking.get_history(conn, rid) == []
    res = tracking.update_recommendation(conn, rid, {"note": "raised again on 3 May"}, 1, "ana")
    assert res["changed"] and res["recommendation"]["version"] == 2
    assert tracking.get_history(conn, rid)[0]["changes"] == {}


def test_errors_write_nothing(db, conn):
    rid = first_id(db)
    with pytest.raises(tracking.RecommendationNotFound):
        tracking.update_recommendation(conn, "rnope", {"status": "accepted"}, 1, "ana")
    with pytest.raises(tracking.StaleVersion) as e:
        tracking.update_recommendation(conn, rid, {"status": "accepted"}, 7, "ana")
    assert e.value.current_version == 1
    tracking.update_recommendation(conn, rid, {"status": "dismissed"}, 1, "ana")
    with pytest.raises(tracking.InvalidValue) as e:
        tracking.update_recommendation(conn, rid, {"status": "implemented", "owner": "x"}, 2, "ana")
    assert "allowed from dismissed: proposed" in str(e.value)
    rec = tracking.get_record(conn, rid)
    assert (rec["status"], rec["owner"], rec["version"]) == ("dismissed", None, 2)
    assert len(tracking.get_history(conn, rid)) == 1
    assert not conn.in_transaction


def test_get_recommendation_with_commitments_and_context(db, conn):
    rid = first_id(db)
    data = tracking.get_recommendation(conn, rid)
    assert data["recommendation"]["id"] == rid
    assert [c["text"] for c in data["commitments"]] == ["We will take that forward."]
    ctx = tracking.get_context(conn, data["recommendation"])
    assert ctx["turn"]["seq"] == 2 and ctx["previous_turn"]["seq"] == 1 and ctx["next_turn"]["seq"] == 3
    assert ctx["segments"][1] == data["recommendation"]["text"]
    assert "".join(ctx["segments"]) == ctx["turn"]["text"]
    assert ctx["speaker"]["name"] == "Alice Smith" and ctx["rec_actor"]["name"] == "Security Council"


def _thread_writers(path, rid, n, version):
    results = [None] * n
    barrier = threading.Barrier(n)

    def work(i):
        c = sqlite3.connect(str(path), timeout=30)
        try:
            barrier.wait()
            tracking.update_recommendation(c, rid, {"owner": f"writer-{version}-{i}"}, version, f"w{i}")
            results[i] = "ok"
        except tracking.StaleVersion:
            results[i] = "stale"
        finally:
            c.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_eight_threads_one_winner_per_version(db):
    path, ids = db
    rid = first_id(db)
    winners = []
    for version in (1, 2, 3):
        results = _thread_writers(path, rid, 8, version)
        assert results.count("ok") == 1 and results.count("stale") == 7, results
        winners.append(f"w{results.index('ok')}")
    (rec,) = rows(path, "select * from recommendations where id = ?", (rid,))
    history = rows(path, "select * from status_changes where recommendation_id = ? order by id", (rid,))
    assert rec["version"] == 4
    assert [h["changed_by"] for h in history] == winners
    assert rec["owner"] == json.loads(history[-1]["changes"])["owner"][1]
    # Each history row starts from the previous winner's value: no lost update.
    owners = [json.loads(h["changes"])["owner"] for h in history]
    assert owners[0][0] is None and all(owners[i][0] == owners[i - 1][1] for i in range(1, 3))


# ---------------------------------------------------------------- CLI


def test_cli_set(db):
    path, ids = db
    rid = first_id(db)
    runner = CliRunner()
    r = runner.invoke(cli, ["set", rid, "--status", "accepted", "--owner", "Ana", "--due", "2025-09-01",
                            "--priority", "high", "--follow-up", "Ask DPO", "--note", "minuted", "--as", "clerk",
                            "--db", str(path)])
    assert r.exit_code == 0, r.output
    assert "proposed -> accepted" in r.output and "version 2" in r.output
    (rec,) = rows(path, "select * from recommendations where id = ?", (rid,))
    assert (rec["status"], rec["owner"], rec["due_date"], rec["priority"], rec["follow_up"], rec["updated_by"]) == (
        "accepted", "Ana", "2025-09-01", "high", "Ask DPO", "clerk")
    (h,) = rows(path, "select * from status_changes where recommendation_id = ?", (rid,))
    assert (h["changed_by"], h["note"]) == ("clerk", "minuted")
    # Default author: the OS user.
    import getpass
    r = runner.invoke(cli, ["set", rid, "--status", "in_progress", "--db", str(path)])
    assert r.exit_code == 0, r.output
    assert rows(path, "select changed_by from status_changes order by id desc limit 1")[0]["changed_by"] == \
        getpass.getuser()


@pytest.mark.parametrize("args,message", [
    (["--status", "finished"], "status: 'finished' is not a status; allowed: proposed"),
    (["--priority", "urgent"], "priority: 'urgent' is not a priority; allowed: high, normal, low"),
    (["--due", "tomorrow"], "due_date: 'tomorrow' is not an ISO date"),
    ([], "nothing to set"),
])
def test_cli_set_errors_are_one_line(db, args, message):
    path, ids = db
    r = CliRunner().invoke(cli, ["set", first_id(db), *args, "--db", str(path)])
    assert r.exit_code == 1
    assert message in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_cli_set_unknown_id_and_transition(db):
    path, ids = db
    runner = CliRunner()
    r = runner.invoke(cli, ["set", "rnope", "--status", "accepted", "--db", str(path)])
    assert r.exit_code == 1 and "no recommendation with id 'rnope'" in r.output
    assert runner.invoke(cli, ["set", first_id(db), "--status", "dismissed", "--db", str(path)]).exit_code == 0
    r = runner.invoke(cli, ["set", first_id(db), "--status", "implemented", "--db", str(path)])
    assert r.exit_code == 1 and "cannot go from dismissed to implemented" in r.output


def test_cli_set_missing_db_does_not_create_it(tmp_path):
    r = CliRunner().invoke(cli, ["set", "r1", "--status", "accepted", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and "none.db: no such database" in r.output
    assert not (tmp_path / "none.db").exists()


def test_cli_set_help_has_example():
    r = CliRunner().invoke(cli, ["set", "--help"])
    assert r.exit_code == 0
    assert "Example:" in r.output and "partially_implemented" in r.output
