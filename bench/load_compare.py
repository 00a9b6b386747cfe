"""Load the same generated archive with two checkouts' ``rectrack load`` and check that every table
holds the same rows (``documents.loaded_at`` aside, a time); prints each load's wall and CPU time:

    .venv/bin/python bench/load_compare.py --code /path/to/older/checkout --docs 40
    .venv/bin/python bench/load_compare.py --code /path/to/older/checkout --docs 40 --workers 1

The full-text indexes are compared by what they hold (every term's instances, through
``fts5vocab``), not by how FTS5 cut them into segments: the segments follow the transactions.
``rows_of(path)`` is what the tests compare too (tests/test_load_batches.py).

Measured on 2 shared cores (load average 4-6), ``--docs 300``, main ``d6085d8`` then the batched
writer, twice: 88.0 / 81.7 s -> 73.9 / 65.2 s wall, 80.8 / 78.0 -> 70.8 / 67.6 CPU-s, the writer
process 16.3 / 15.4 -> 9.3 / 8.8 CPU-s, 16.2 -> 1.8-1.9 MB written per document, rows identical
(5,767,100). The load connection's 64 MiB page cache against SQLite's default 2 MB (the same
code otherwise): the writer 9.1 -> 7.5 CPU-s, 3.1 -> 1.8 MB written per document.
"""
from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FTS_SEGMENTS = ("_fts_data", "_fts_idx")  # FTS5's b-tree of segments: its shape follows the commits
TIMES = {("documents", "loaded_at")}  # when a row was written


def rows_of(path) -> dict[str, list]:
    """Every table's rows, sorted, with the times of ``TIMES`` blanked and each full-text index as
    its ``(term, doc, col, offset)`` instances."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {}
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            if table.endswith(FTS_SEGMENTS):
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
            select = ", ".join("NULL" if (table, c) in TIMES else f"[{c}]" for c in columns)
            try:  # the rowids too (FTS5 indexes its rows by rowid), where the table has them
                found = conn.execute(f"SELECT rowid, {select} FROM [{table}]").fetchall()
            except sqlite3.OperationalError:  # WITHOUT ROWID
                found = conn.execute(f"SELECT {select} FROM [{table}]").fetchall()
            out[table] = sorted(found, key=repr)
        for (fts,) in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"):
            conn.execute(f"CREATE VIRTUAL TABLE temp.[v_{fts}] USING fts5vocab(main, [{fts}], instance)")
            out[f"{fts} (instances)"] = conn.execute(f"SELECT * FROM temp.[v_{fts}] ORDER BY 1, 2, 3, 4").fetchall()
        return out
    finally:
        conn.close()


def differences(a: dict, b: dict) -> list[str]:
    """One line per table whose rows differ."""
    lines = []
    for table in sorted(a.keys() | b.keys()):
        ra, rb = a.get(table), b.get(table)
        if ra != rb:
            na, nb = len(ra or ()), len(rb or ())
            first = next((i for i, (x, y) in enumerate(zip(ra or (), rb or ())) if x != y), min(na, nb))
            lines.append(f"{table}: {na} rows against {nb}, first difference at row {first}")
    return lines


def load(code: Path, folder: Path, db: Path, workers: int | None) -> tuple[float, float, int, float]:
    """``rectrack load folder`` run from ``code``: (wall seconds, CPU seconds of the process and its
    workers, bytes the loading process wrote, CPU seconds of the loading process alone: the writer,
    with its start, the lexicon and the sha256 of the files; its workers are not counted)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    extra = ["--workers", str(workers)] if workers else []
    # the load's own process, reporting the bytes it wrote (``wchar``: the WAL and the checkpoints)
    run = ("import atexit, resource, sys\n"
           "def report():\n"
           "    me = resource.getrusage(resource.RUSAGE_SELF)\n"
           "    sys.stderr.write(f'\\nIO writer_cpu: {me.ru_utime + me.ru_stime} '\n"
           "                     + open('/proc/self/io').read().replace('\\n', ' '))\n"
           "atexit.register(report)\n"
           "from loader.cli import cli\n"
           "cli(sys.argv[1:], prog_name='rectrack')\n")
    proc = subprocess.run([sys.executable, "-c", run, "load", str(folder), "--db", str(db), *extra],
                          cwd=code, env={**os.environ, "PYTHONPATH": str(code)},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"rectrack load from {code} failed ({proc.returncode}): {proc.stderr[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    io = proc.stderr.rpartition("\nIO ")[2].split()
    written = int(io[io.index("wchar:") + 1]) if "wchar:" in io else 0
    writer = float(io[io.index("writer_cpu:") + 1]) if "writer_cpu:" in io else 0.0
    return wall, cpu, written, writer


def main() -> None:
    from corpus import make_corpus

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, required=True, help="the other checkout (e.g. main's)")
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "archive"
        make_corpus(folder, args.docs)
        found = {}
        for name, code in (("other", args.code.resolve()), ("this", ROOT)):
            db = Path(d) / f"{name}.db"
            wall, cpu, written, writer = load(code, folder, db, args.workers)
            print(f"{name:5} {code}: {wall:.1f} s wall, {cpu:.1f} CPU-s; the writer process {writer:.2f} CPU-s "
                  f"({writer / args.docs * 1000:.1f} ms per document), wrote {written / args.docs / 1e6:.2f} MB "
                  f"per document (WAL and checkpoints); database {db.stat().st_size / 1e6:.1f} MB")
            found[name] = rows_of(db)
        diff = differences(found["other"], found["this"])
        n = sum(len(v) for v in found["this"].values())
        if diff:
            print("DIFFERENT:\n  " + "\n  ".join(diff))
            raise SystemExit(1)
        print(f"identical: {len(found['this'])} tables, {n} rows")


if __name__ == "__main__":
    main()
