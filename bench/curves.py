"""Cost curves for docs/scaling.md: how time grows with documents, document size and rows.

    .venv/bin/python bench/curves.py                   # all three (a few minutes)
    .venv/bin/python bench/curves.py --only size rows

CPU times (the machine is shared). ``documents``: ``rectrack load`` of N generated transcripts
(fresh database); ``size``: parse + speakers + extraction + store of one transcript k times the
seed; ``rows``: the uncached summary.json, a facet query and a full-text search on databases of
R recommendations (built as ``bench.py`` builds its large one, kept in the temporary folder).
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402
from corpus import make_corpus  # noqa: E402
from loader import browse, store  # noqa: E402
from loader.extract import extract  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.read import read_source  # noqa: E402
from loader.speakers import resolve_speakers  # noqa: E402
from loader.turns import parse_document  # noqa: E402


def documents(counts) -> None:
    print("documents  wall s  CPU s  CPU s/document")
    for n in counts:
        with tempfile.TemporaryDirectory() as d:
            make_corpus(Path(d) / "a", n)
            wall, cpu, _, _ = bench.run_load(Path(d) / "a", Path(d) / "a.db", bench.ROOT)
            print(f"{n:9d}  {wall:6.1f}  {cpu:5.1f}  {cpu / n:.3f}", flush=True)


def size(scales) -> None:
    lexicon = load_lexicon()
    print("scale  characters  parse+speakers ms  extraction ms  store ms")
    with tempfile.TemporaryDirectory() as d:
        for k in scales:
            (path,) = make_corpus(Path(d), 1, scale=k, start=k)
            source = read_source(path)
            t0 = time.process_time()
            doc = resolve_speakers(parse_document(source, lexicon), lexicon)
            t1 = time.process_time()
            recs, coms = extract(doc, lexicon)
            t2 = time.process_time()
            conn = store.connect(Path(d) / f"s{k}.db")
            store.store_document(conn, doc, recs, coms)
            conn.close()
            t3 = time.process_time()
            print(f"{k:5d}  {len(source.text):10,d}  {(t1 - t0) * 1000:17.0f}  {(t2 - t1) * 1000:13.0f}  "
                  f"{(t3 - t2) * 1000:8.0f}", flush=True)


def rows(sizes) -> None:
    print("rows      db MB  summary uncached ms  facet(actor_id) ms  count(*) ms  FTS ms")
    for n in sizes:
        path = bench.large_db(n, rebuild=False)
        conn = store.connect(path)
        t0 = time.process_time()
        json.dumps(browse.compute_summary_json(conn, browse.Filters(), browse.today_utc()))
        t1 = time.process_time()
        conn.execute("select actor_id, count(*) from recommendations group by actor_id order by 2 desc limit 31").fetchall()
        t2 = time.process_time()
        total = conn.execute("select count(*) from recommendations").fetchone()[0]
        t3 = time.process_time()
        conn.execute("select rowid from recommendations_fts where recommendations_fts match 'council' limit 51").fetchall()
        t4 = time.process_time()
        conn.close()
        mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6  # with -wal, -shm
        print(f"{total:8,d}  {mb:6.0f}  {(t1 - t0) * 1000:19.0f}  {(t2 - t1) * 1000:18.0f}  {(t3 - t2) * 1000:11.0f}  "
              f"{(t4 - t3) * 1000:6.1f}", flush=True)
        sqlite3.connect(path).close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=["documents", "size", "rows"])
    parser.add_argument("--documents", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--rows", type=int, nargs="+", default=[30_000, 100_000, 300_000])
    args = parser.parse_args()
    only = args.only or ["documents", "size", "rows"]
    if "size" in only:
        size(args.scales)
    if "documents" in only:
        documents(args.documents)
    if "rows" in only:
        rows(args.rows)


if __name__ == "__main__":
    main()
