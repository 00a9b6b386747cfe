"""K sequential requests of one kind through the real app (Datasette's ASGI client) on the
benchmark's 300,000-row database, counted by callgrind only while they run, for instruction counts
that do not depend on the machine's load:

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null \\
        .venv/bin/python bench/request_runs.py post_status 100

"Collected" over K is the cost of one request, every thread included (about 15 s). Kinds:
``post_priority``, ``post_status`` (between proposed and accepted), ``get_recommendation``,
``summary`` (summary.json, the same state). The database is ``bench.py``'s (built there first).
"""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402  (its path setup too)
from loader.web import make_datasette  # noqa: E402

KINDS = ("post_priority", "post_status", "get_recommendation", "summary")
HEADERS = {"Authorization": f"Bearer {bench.TOKEN}", "Content-Type": "application/json"}


def instrument(on: bool) -> None:
    """Turn callgrind's counting on or off in this process (nothing without valgrind)."""
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], capture_output=True)


async def request(ds, kind: str, rec: dict) -> None:
    rid = rec["id"]
    if kind == "get_recommendation":
        r = await ds.client.get(f"/-/rectrack/recommendations/{rid}.json")
    elif kind == "summary":
        r = await ds.client.get("/-/rectrack/summary.json")
    else:
        change = ({"priority": "high" if rec["priority"] != "high" else "low"} if kind == "post_priority"
                  else {"status": "accepted" if rec["status"] == "proposed" else "proposed"})
        r = await ds.client.post(f"/-/rectrack/recommendations/{rid}.json", headers=HEADERS,
                                 content=json.dumps({**change, "note": "bench", "version": rec["version"]}))
        rec.update(r.json()["recommendation"])
    assert r.status_code == 200, r.text[:300]


async def main(kind: str, k: int) -> None:
    path = bench.large_db(300_000, False)
    bench.store.connect(path).close()  # brought up to date before anything is counted
    os.environ["RECTRACK_API_TOKEN"] = bench.TOKEN
    ds = make_datasette(path)
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("SELECT id FROM recommendations WHERE status IN ('proposed', 'accepted') "
                                      "LIMIT ?", (k + 10,))]
    conn.close()
    recs = [(await ds.client.get(f"/-/rectrack/recommendations/{rid}.json")).json()["recommendation"] for rid in ids]
    for rec in recs[:10]:  # warm: plugins, caches, the summary
        await request(ds, kind, rec)
    instrument(True)
    for rec in recs[10:]:
        await request(ds, kind, rec)
    instrument(False)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        raise SystemExit(f"usage: request_runs.py {{{'|'.join(KINDS)}}} K")
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
