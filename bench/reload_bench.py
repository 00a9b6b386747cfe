"""Reload of a large, dense transcript: rows kept and seconds.

Builds a ~1 MB transcript with ~12k recommendations (bench/dense_transcript.py), loads it with
``rectrack load``, edits 40 recommendations (status and owner), then reloads it (1) unchanged and
(2) mutated: a turn inserted at the top, one turn removed, and ten sentences duplicated. Reports,
for each reload, the seconds of ``rectrack load``, the seconds of the store step alone (snapshot,
matching, write), the rows stored and extracted, what the CLI printed, and whether every edit is
still on its own words.

    .venv/bin/python bench/reload_bench.py [--size 1000000]
"""
from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dense_transcript import dense_transcript  # noqa: E402
from loader import store, tracking  # noqa: E402
from loader.cli import cli  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.read import read_source  # noqa: E402


def mutate(text: str, rng: random.Random) -> str:
    head, *turns = text.split("\n\n")
    turns = [t for t in turns if t]
    turns.insert(0, "Ms. Dana Green: Good morning. The meeting is called to order.")
    del turns[len(turns) // 2]
    for _ in range(10):
        k = rng.randrange(len(turns))
        sentences = re.split(r"(?<=\.) ", turns[k])
        j = rng.randrange(1, len(sentences)) if len(sentences) > 1 else 0
        sentences.insert(j, sentences[j])
        turns[k] = " ".join(sentences)
    return "\n\n".join([head, *turns]) + "\n\n"


def state(db):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {r["id"]: dict(r) for r in conn.execute("select * from recommendations")}, \
            conn.execute("select text from documents").fetchone()[0]
    finally:
        conn.close()


def reload(runner, path, db, edited):
    started = time.perf_counter()
    result = runner.invoke(cli, ["load", str(path), "--db", str(db)])
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    printed = int(re.search(r"(\d+) recommendations", result.output).group(1))
    rows, text = state(db)
    intact = all(rid in rows and rows[rid]["status"] == e["status"] and rows[rid]["owner"] == e["owner"]
                 and (rows[rid]["text"] == e["text"] or rows[rid]["char_start"] is None) for rid, e in edited.items())
    exact = all(r["char_start"] is None or text[r["char_start"]:r["char_end"]] == r["text"] for r in rows.values())
    return {"seconds": round(seconds, 2), "printed": printed, "stored": len(rows),
            "extracted": sum(r["extracted"] for r in rows.values()), "edits_intact": intact, "offsets_exact": exact}


def store_seconds(path, db):
    """Seconds of the store step: snapshot + matching (no lock), and the write transaction."""
    doc, recs, coms = process_source(read_source(path))
    conn = store.connect(db)
    try:
        started = time.perf_counter()
        snapshot = store.read_snapshot(conn, doc.id)
        plan = store.plan_document(doc, recs, coms, snapshot)
        planned = time.perf_counter()
        store.write_document(conn, doc, recs, coms, snapshot, plan)
        done = time.perf_counter()
        return {"snapshot_and_matching": round(planned - started, 2), "write_lock_held": round(done - planned, 3)}
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    args = ap.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        path, db = Path(tmp) / "dense.txt", Path(tmp) / "rectrack.db"
        text = dense_transcript(args.size)
        path.write_text(text, encoding="utf-8")
        runner = CliRunner()
        first = reload(runner, path, db, {})
        print(f"load: {len(text) / 1e6:.2f} MB, {first}")
        rows, _ = state(db)
        conn = store.connect(db)
        edited = {}
        for rid in rng.sample(sorted(rows), 40):
            tracking.update_recommendation(conn, rid, {"status": "accepted", "owner": f"team {rid[-3:]}"}, 1, "bench")
            edited[rid] = {"status": "accepted", "owner": f"team {rid[-3:]}", "text": rows[rid]["text"]}
        conn.close()
        print(f"reload unchanged: {reload(runner, path, db, edited)}")
        print(f"  store step alone: {store_seconds(path, db)} s")
        path.write_text(mutate(text, rng), encoding="utf-8")
        print(f"  store step alone, mutated text: {store_seconds(path, db)} s")
        path.write_text(text, encoding="utf-8")
        reload(runner, path, db, edited)
        path.write_text(mutate(text, random.Random(3)), encoding="utf-8")
        print(f"reload mutated (turn inserted, turn removed, 10 sentences duplicated): {reload(runner, path, db, edited)}")
        path.write_text(text, encoding="utf-8")
        print(f"reload original again: {reload(runner, path, db, edited)}")


if __name__ == "__main__":
    main()
