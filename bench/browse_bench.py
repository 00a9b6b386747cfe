"""Time the browsing pages on a large database: the seed stored N times under different ids.

Example:
    .venv/bin/python bench/browse_bench.py --copies 300
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loader import store  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.read import read_source  # noqa: E402
from loader.web import SEEDS, make_datasette  # noqa: E402

URLS = [
    "/rectrack/recommendations",
    "/rectrack/recommendations?_search=council",
    "/rectrack/recommendations?actor_id=security-council&status=proposed",
    "/rectrack/turns",
    "/rectrack/status_by_actor",
    "/-/rectrack/summary.json",
    "/-/rectrack/summary.json?actor=security-council",
    "/-/rectrack/dashboard",
    "/-/rectrack/dashboard?document=doc-0001",
    "/-/rectrack/documents/doc-0001",
]


def build(db_path: Path, copies: int) -> int:
    source = read_source(sorted(SEEDS.glob("*.txt"))[0])
    doc, recs, coms = process_source(source, load_lexicon(()))
    conn = store.connect(db_path)
    for i in range(copies):
        copy = dataclasses.replace(doc, id=f"doc-{i:04d}", event_date=f"20{10 + i % 15}-01-{1 + i % 28:02d}")
        store.store_document(conn, copy, recs, coms)
    # A deterministic mix of statuses and due dates so every count has work to do.
    conn.execute("UPDATE recommendations SET status = CASE rowid % 5 WHEN 0 THEN 'accepted' WHEN 1 THEN "
                 "'in_progress' WHEN 2 THEN 'implemented' ELSE status END, "
                 "due_date = CASE WHEN rowid % 3 = 0 THEN '2020-01-01' END")
    conn.commit()
    n = conn.execute("SELECT count(*) FROM recommendations").fetchone()[0]
    conn.close()
    return n


async def timings(db_path: Path, repeat: int):
    ds = make_datasette(db_path)
    for url in URLS:
        response = await ds.client.get(url)  # warm up
        start = time.perf_counter()
        for _ in range(repeat):
            response = await ds.client.get(url)
        ms = (time.perf_counter() - start) / repeat * 1000
        print(f"{ms:8.0f} ms  {response.status_code}  {url}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "rectrack.db"
        n = build(db_path, args.copies)
        print(f"{args.copies} documents, {n} recommendations; mean of {args.repeat} requests (ds.client, no network)")
        asyncio.run(timings(db_path, args.repeat))


if __name__ == "__main__":
    main()
