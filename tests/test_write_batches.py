"""Group commit of tracking updates (loader/write_batches.py): one transaction, a savepoint each.

Real SQLite files throughout; the last tests go through the real Datasette app (ds.client)."""
import asyncio
import json
import sqlite3

import pytest

from loader import review, store, tracking
from loader.web import make_datasette, metadata_for
from loader.write_batches import Failed, WriteBatcher, run_batch
from tracking_helpers import RECS_V1, make_db, rows

TOKEN = "test-token-0123456789abcdef"
QUOTES = [quote for _seq, quote, *_ in RECS_V1]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "rectrack.db"
    return path, make_db(path)


def status_step(rid, status, version, who="ana"):
    prepared = review.prepare_update(rid, {"status": status, "note": "batched"}, version, who)
    return lambda conn: review.write_update(conn, prepared)


def history(path, rid=None):
    where, params = ("where recommendation_id = ?", (rid,)) if rid else ("", ())
    return rows(path, f"select * from status_changes {where} order by id", params)


# ---------------------------------------------------------------- run_batch


def test_a_batch_commits_every_update_with_its_history_row(db):
    path, ids = db
    conn = store.connect(path)
    results = run_batch(conn, [status_step(ids[q], "accepted", 1) for q in QUOTES[:3]])
    conn.close()
    assert [r["recommendation"]["status"] for r in results] == ["accepted"] * 3
    assert [r["recommendation"]["version"] for r in results] == [2, 2, 2]
    for q in QUOTES[:3]:
        (change,) = history(path, ids[q])
        assert (change["from_status"], change["to_status"], change["note"]) == ("proposed", "accepted", "batched")
    assert {r["status"] for r in rows(path, "select status from recommendations where id in (?, ?, ?)",
                                      tuple(ids[q] for q in QUOTES[:3]))} == {"accepted"}


def test_a_failed_update_rolls_back_alone(db):
    path, ids = db
    conn = store.connect(path)
    first, second, third = (ids[q] for q in QUOTES[:3])
    # the second one's version is stale; the third asks for a transition the rule forbids after
    # its first step in the same batch (dismissed -> accepted)
    steps = [status_step(first, "accepted", 1), status_step(second, "accepted", 7),
             status_step(third, "dismissed", 1), status_step(third, "accepted", 2)]
    results = run_batch(conn, steps)
    conn.close()
    assert results[0]["recommendation"]["status"] == "accepted"
    assert isinstance(results[1], Failed) and isinstance(results[1].error, tracking.StaleVersion)
    assert results[2]["recommendation"]["status"] == "dismissed"
    assert isinstance(results[3], Failed) and isinstance(results[3].error, tracking.InvalidValue)
    assert history(path, second) == []
    assert [c["to_status"] for c in history(path, third)] == ["dismissed"]
    (row,) = rows(path, "select status, version from recommendations where id = ?", (second,))
    assert (row["status"], row["version"]) == ("proposed", 1)


def test_the_same_as_one_after_the_other(db, tmp_path):
    """Two updates of one recommendation at the same version in one batch: the first wins, the
    second is stale, exactly as when each had its own transaction."""
    path, ids = db
    rid = ids[QUOTES[0]]
    conn = store.connect(path)
    results = run_batch(conn, [status_step(rid, "accepted", 1, "ana"), status_step(rid, "declined", 1, "ben")])
    conn.close()
    assert results[0]["recommendation"]["status"] == "accepted"
    assert isinstance(results[1].error, tracking.StaleVersion)
    assert [(c["changed_by"], c["to_status"]) for c in history(path, rid)] == [("ana", "accepted")]


def test_a_locked_database_writes_nothing_of_the_batch(db):
    path, ids = db
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    conn = store.connect(path)
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            run_batch(conn, [status_step(ids[q], "accepted", 1) for q in QUOTES[:2]])
        assert not conn.in_transaction
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert history(path) == []
    # and the connection is usable again
    run_batch(conn, [status_step(ids[QUOTES[0]], "accepted", 1)])
    conn.close()
    assert len(history(path)) == 1


def test_a_commit_that_fails_writes_nothing(db):
    """A deferred foreign-key violation makes COMMIT itself fail: every update of the batch is
    rolled back and the error is raised to all of them."""
    path, ids = db
    conn = store.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS parent_t (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE IF NOT EXISTS child_t (p INTEGER REFERENCES parent_t(id) DEFERRABLE INITIALLY DEFERRED)")
    conn.commit()
    conn.execute("PRAGMA foreign_keys = ON")

    def orphan(c):
        c.execute("INSERT INTO child_t (p) VALUES (42)")

    with pytest.raises(sqlite3.IntegrityError):
        run_batch(conn, [status_step(ids[QUOTES[0]], "accepted", 1), orphan])
    assert not conn.in_transaction
    conn.close()
    assert history(path) == []
    assert rows(path, "select count(*) as n from child_t")[0]["n"] == 0


# ---------------------------------------------------------------- WriteBatcher


@pytest.mark.asyncio
async def test_updates_that_arrive_during_a_write_share_the_next_transaction(db):
    path, ids = db
    conn = sqlite3.connect(path, check_same_thread=False)
    gate = asyncio.Event()
    sizes = []

    async def write(steps):
        sizes.append(len(steps))
        if len(sizes) == 1:
            await gate.wait()  # the first batch is "on the write thread" while the others arrive
        return await asyncio.to_thread(run_batch, conn, steps)

    batcher = WriteBatcher(write)
    first = asyncio.ensure_future(batcher.submit(status_step(ids[QUOTES[0]], "accepted", 1)))
    await asyncio.sleep(0)
    others = [asyncio.ensure_future(batcher.submit(status_step(ids[q], "accepted", 1))) for q in QUOTES[1:]]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(first, *others)
    conn.close()
    assert sizes == [1, len(QUOTES) - 1]
    assert (batcher.batches, batcher.steps) == (2, len(QUOTES))
    assert [r["recommendation"]["status"] for r in results] == ["accepted"] * len(QUOTES)
    assert len(history(path)) == len(QUOTES)


@pytest.mark.asyncio
async def test_a_batch_is_at_most_max_batch(db):
    path, ids = db
    conn = sqlite3.connect(path, check_same_thread=False)
    sizes = []

    async def write(steps):
        sizes.append(len(steps))
        return await asyncio.to_thread(run_batch, conn, steps)

    batcher = WriteBatcher(write, max_batch=2)
    await asyncio.gather(*(batcher.submit(status_step(ids[q], "accepted", 1)) for q in QUOTES))
    conn.close()
    assert max(sizes) <= 2 and sum(sizes) == len(QUOTES)
    assert len(history(path)) == len(QUOTES)


@pytest.mark.asyncio
async def test_each_caller_gets_its_own_error_and_a_failed_batch_reaches_all():
    async def write(steps):
        if "boom" in steps:
            raise sqlite3.OperationalError("disk I/O error")
        return [Failed(ValueError("mine")) if step == "bad" else step for step in steps]

    batcher = WriteBatcher(write)
    ok, bad = await asyncio.gather(batcher.submit("fine"), batcher.submit("bad"), return_exceptions=True)
    assert ok == "fine" and isinstance(bad, ValueError)
    assert (batcher.batches, batcher.steps) == (1, 2)
    results = await asyncio.gather(*(batcher.submit(s) for s in ("a", "boom", "c")), return_exceptions=True)
    assert all(isinstance(r, sqlite3.OperationalError) for r in results)
    # a later submit starts a new batch
    assert await batcher.submit("again") == "again"
    assert (batcher.batches, batcher.steps) == (3, 6)


# ---------------------------------------------------------------- through the app


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("RECTRACK_API_TOKEN", TOKEN)


def post(ds, rid, body):
    return ds.client.post(f"/-/rectrack/recommendations/{rid}.json",
                          headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
                          content=json.dumps(body))


@pytest.mark.asyncio
@pytest.mark.parametrize("batch_max", [None, 1])
async def test_concurrent_posts_each_get_their_answer(db, env, batch_max):
    path, ids = db
    metadata = metadata_for(path)
    if batch_max is not None:
        metadata["plugins"]["rectrack"]["write_batch_max"] = batch_max
    ds = make_datasette(path, metadata=metadata)
    same = ids[QUOTES[0]]
    answers = await asyncio.gather(
        *(post(ds, ids[q], {"status": "accepted", "note": f"n{i}", "version": 1}) for i, q in enumerate(QUOTES)),
        post(ds, same, {"status": "declined", "version": 1}),  # stale once the first is written
        post(ds, ids[QUOTES[1]], {"status": "no-such-status", "version": 1}),
    )
    assert [a.status_code for a in answers] == [200] * len(QUOTES) + [409, 400]
    for i, (q, a) in enumerate(zip(QUOTES, answers)):
        body = a.json()
        assert body["recommendation"]["id"] == ids[q]
        assert body["recommendation"]["status"] == "accepted" and body["recommendation"]["version"] == 2
        assert body["change"]["note"] == f"n{i}"
    assert len(history(path)) == len(QUOTES)
    (batcher,) = ds._rectrack_write_batchers.values()
    assert batcher.steps == len(QUOTES) + 1  # the invalid status never reached the write thread
    if batch_max == 1:
        assert batcher.batches == batcher.steps
