"""Store the seed transcript's extraction N times in a fresh database, for instruction counts of
``store_document`` that do not depend on the machine's load (this machine is shared):

    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/store_runs.py 0
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/store_runs.py 10
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/store_runs.py 10 --no-counts
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/store_runs.py 10 --batch

(the difference of two "Collected" totals, divided by 10, is the cost of storing one document;
``--no-counts`` drops the triggers that keep recommendation_counts first; ``--batch`` stores them
as ``rectrack load`` does, through ``store.BatchWriter`` -- up to 16 documents per transaction, a
savepoint each -- on a connection set up as the load's; about 30 s each). Without valgrind,
``--wal`` prints the bytes written to the WAL per document (no checkpoint meanwhile):

    .venv/bin/python bench/store_runs.py 48 --wal
    .venv/bin/python bench/store_runs.py 48 --wal --batch
"""
from __future__ import annotations

import copy
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loader import store  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.read import read_source  # noqa: E402
from loader.web import SEEDS  # noqa: E402


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    doc, recs, coms = process_source(read_source(SEEDS / "000_59fee67576fde5b5.txt"), load_lexicon())
    with tempfile.TemporaryDirectory() as d:
        conn = store.connect(Path(d) / "store.db")
        conn.execute("PRAGMA synchronous = OFF")
        if "--no-counts" in sys.argv:
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                        "AND name LIKE 'recommendation_counts%'").fetchall():
                conn.execute(f"DROP TRIGGER {name}")
            conn.commit()
        if "--wal" in sys.argv:  # every page written stays in the WAL: its size is what was written
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        if "--batch" in sys.argv:
            from loader.pipeline import BATCH_CHARACTERS, BATCH_DOCUMENTS, LOAD_CACHE_KIB

            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
            writer = store.BatchWriter(conn, BATCH_DOCUMENTS, float("inf"), BATCH_CHARACTERS)
            for i in range(runs):
                copy_of = copy.copy(doc)
                copy_of.id = f"doc-{i}"
                writer.store(copy_of, recs, coms, stamp="x")
                if writer.full():
                    writer.commit()
            writer.commit()
        else:
            for i in range(runs):
                copy_of = copy.copy(doc)
                copy_of.id = f"doc-{i}"
                store.store_document(conn, copy_of, recs, coms)
        if "--wal" in sys.argv:
            wal = Path(d) / "store.db-wal"
            print(f"WAL: {wal.stat().st_size / max(1, runs) / 1e6:.2f} MB written per document ({runs} documents)")
        conn.close()


if __name__ == "__main__":
    main()
