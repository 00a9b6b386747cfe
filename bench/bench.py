"""rectrack benchmark: load speed, and request rates on a large database.

Run with `make bench` (or `.venv/bin/python bench/bench.py --rows 100000`). Prints one line per
figure; the README's Performance section quotes its output.
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loader import store  # noqa: E402
from loader.cli import eval_figures  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.read import read_source  # noqa: E402
from loader.speakers import resolve_speakers  # noqa: E402
from loader.turns import parse_document  # noqa: E402
from loader.web import SEEDS, make_datasette  # noqa: E402

SEED = SEEDS / "000_59fee67576fde5b5.txt"
# Extracting the seed stays under a second on one core (was asserted in tests/test_eval.py).
EXTRACT_TARGET_SECONDS = 1.0


def bench_load(repeat=20):
    lexicon = load_lexicon()
    source = read_source(SEED)
    process_source(source, lexicon)  # warm regex caches
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        process_source(source, lexicon)
        times.append(time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        conn = store.connect(Path(d) / "rectrack.db")
        doc, recs, coms = process_source(read_source(SEED), lexicon)
        store.store_document(conn, doc, recs, coms)
        conn.close()
        full = time.perf_counter() - t0
    parse_times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        resolve_speakers(parse_document(source, lexicon), lexicon)
        parse_times.append(time.perf_counter() - t0)
    print(f"parse turns + resolve speakers of the seed: median {statistics.median(parse_times) * 1000:.1f} ms")
    print(f"parse+extract seed ({len(source.text):,} chars): median {statistics.median(times) * 1000:.1f} ms over {repeat} runs")
    print(f"read+parse+extract+store seed into a new database: {full * 1000:.1f} ms "
          f"({len(doc.turns)} turns, {len(recs)} recommendations, {len(coms)} commitments)")
    extract_seconds = eval_figures(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "gold", SEED)["extract_seconds"]
    verdict = "met" if extract_seconds < EXTRACT_TARGET_SECONDS else "MISSED"
    print(f"extraction of the seed as `rectrack eval` times it: {extract_seconds * 1000:.0f} ms "
          f"(target < {EXTRACT_TARGET_SECONDS * 1000:.0f} ms: {verdict})")


def build_large(path: Path, rows: int):
    """Store copies of the seed under distinct document ids until ``rows`` recommendations exist."""
    lexicon = load_lexicon()
    doc, recs, coms = process_source(read_source(SEED), lexicon)
    if not recs:
        raise SystemExit("the extractor found no recommendations in the seed; nothing to benchmark")
    conn = store.connect(path)
    statuses = ["proposed", "accepted", "in_progress", "implemented", "declined"]
    n_docs = -(-rows // len(recs))
    t0 = time.perf_counter()
    for i in range(n_docs):
        d = copy.copy(doc)
        d.id = f"bench-{i:05d}"
        store.store_document(conn, d, recs, coms)
    with conn:
        conn.execute(
            "UPDATE recommendations SET status = CASE abs(random()) % 5 "
            + " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(statuses))
            + " END, due_date = date('2026-01-01', '+' || (abs(random()) % 700) || ' days')"
        )
    conn.execute("ANALYZE")
    conn.close()
    n = sqlite3.connect(path).execute("select count(*) from recommendations").fetchone()[0]
    print(f"built {n:,} recommendations in {n_docs:,} documents in {time.perf_counter() - t0:.1f} s")
    return n


async def rate(ds, path, seconds=5.0):
    # one warm-up request, then as many sequential requests as fit in `seconds`
    r = await ds.client.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    count, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        r = await ds.client.get(path)
        assert r.status_code == 200
        count += 1
    return count / (time.perf_counter() - t0)


async def bench_requests(path: Path, seconds: float):
    ds = make_datasette(path)
    rec_id = sqlite3.connect(path).execute("select id from recommendations limit 1 offset 500").fetchone()[0]
    paths = [
        "/rectrack/recommendations.json?_facet=status",
        "/rectrack/recommendations.json?_facet=status&_facet=actor_id&_facet=theme",
        "/rectrack/recommendations.json?actor_id=security-council&_nofacet=1&_nocount=1&_shape=array",
        "/rectrack/recommendations.json?status=accepted&_sort=due_date",
        "/rectrack/recommendations.json?_search=council",
        "/-/rectrack/summary.json",
        "/-/rectrack/summary.json?theme=mandates",
        f"/-/rectrack/recommendations/{rec_id}.json",
    ]
    for p in paths:
        try:
            print(f"{await rate(ds, p, seconds):8.1f} req/s  GET {p}")
        except AssertionError as e:
            print(f"   n/a       GET {p} ({e.args[0][1]})")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    bench_load()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "rectrack.db"
        build_large(path, args.rows)
        asyncio.run(bench_requests(path, args.seconds))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
