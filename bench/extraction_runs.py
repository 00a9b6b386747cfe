"""Extract the seed transcript N times after one warm-up, for instruction counts that do not
depend on the machine's load (this machine is shared; CPU times vary 2x between runs):

    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/extraction_runs.py 0
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/extraction_runs.py 2

(the difference of the two "I refs" totals, halved, is the cost of one extraction; about a minute each).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loader.extract import extract  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.read import read_source  # noqa: E402
from loader.speakers import resolve_speakers  # noqa: E402
from loader.turns import parse_document  # noqa: E402
from loader.web import SEEDS  # noqa: E402


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    lexicon = load_lexicon()
    doc = resolve_speakers(parse_document(read_source(SEEDS / "000_59fee67576fde5b5.txt"), lexicon), lexicon)
    extract(doc, lexicon)  # warm: rules compiled, branch regexes compiled
    for _ in range(runs):
        extract(doc, lexicon)


if __name__ == "__main__":
    main()
