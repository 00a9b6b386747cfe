"""Load the first N of six generated seed-sized transcripts in this process (``workers=1``), for
instruction counts of the whole load path per document (read, parse, speakers, extraction, store)
that do not depend on the machine's load:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/load_runs.py 2
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/load_runs.py 6

(the difference of the two "I refs" totals, divided by 4, is the cost of one document past the
first two, which also pay for compiling the regexes they call for; a few minutes each).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import make_corpus  # noqa: E402
from loader.pipeline import load_files  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    with tempfile.TemporaryDirectory() as d:
        paths = sorted(make_corpus(Path(d) / "archive", 6))
        load_files(Path(d) / "archive.db", paths[:n], workers=1)


if __name__ == "__main__":
    main()
