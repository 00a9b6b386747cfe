"""Time and size the document page of a long transcript (generated, about 1 MB, 12,000 recommendations).

Example:
    .venv/bin/python bench/document_pages_bench.py --turns 3000
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from large_document import store_large_document  # noqa: E402
from loader import store  # noqa: E402
from loader.web import make_datasette  # noqa: E402


async def measure(db_path: Path, repeat: int):
    ds = make_datasette(db_path)
    first = await ds.client.get("/-/rectrack/documents/big")
    count = int(first.text.split("Page 1 of ", 1)[1].split(":", 1)[0]) if "Page 1 of " in first.text else 1
    conn = store.connect(db_path)
    rid = conn.execute("SELECT id FROM recommendations ORDER BY char_start LIMIT 1 OFFSET "
                       "(SELECT count(*) / 2 FROM recommendations)").fetchone()[0]
    conn.close()
    urls = [f"/-/rectrack/documents/big?page={n}" for n in sorted({1, (count + 1) // 2, count})]
    urls.append(f"/-/rectrack/recommendations/{rid}")
    print(f"{count} pages")
    for url in urls:
        start = time.perf_counter()
        for _ in range(repeat):
            response = await ds.client.get(url)
        ms = (time.perf_counter() - start) / repeat * 1000
        print(f"{ms:8.0f} ms  {len(response.content) / 1000:8.0f} kB  {response.status_code}  {url}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "rectrack.db"
        doc = store_large_document(db_path, turns=args.turns)
        print(f"{len(doc.text) / 1e6:.2f} MB of text, {args.turns} turns, {4 * args.turns} recommendations; "
              f"mean of {args.repeat} requests (ds.client, no network)")
        asyncio.run(measure(db_path, args.repeat))


if __name__ == "__main__":
    main()
