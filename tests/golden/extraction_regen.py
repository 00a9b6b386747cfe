"""The extraction snapshot: every field of every recommendation and commitment the pipeline finds
in the seed and in the dev, held-out and blind2 transcripts (tests/golden/extraction/snapshot.json).

    .venv/bin/python -m tests.golden.extraction_regen          # rewrite the snapshot
    .venv/bin/python -m tests.golden.extraction_regen --check  # list the files whose output changed

A speed-up of the extractor must leave the snapshot unchanged (tests/test_extraction_snapshot.py);
a change of the rules that is meant to change the output rewrites it, and the diff is reviewed.
"""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from loader.pipeline import process_source
from loader.read import read_source

GOLDEN = Path(__file__).parent
ROOT = GOLDEN.parent.parent
FIXTURES = GOLDEN.parent / "fixtures"
SNAPSHOT = GOLDEN / "extraction" / "snapshot.json"  # apart from the parser golden files (tests/golden/*.json)


def transcripts() -> list[Path]:
    """The seed, the dev transcripts, the held-out and the blind2 transcripts."""
    return [*sorted((ROOT / "seeds").glob("*.txt")), *sorted(FIXTURES.glob("*.txt")),
            *sorted((FIXTURES / "heldout").glob("*.txt")), *sorted((FIXTURES / "blind2").glob("*.txt"))]


def key(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def extraction_record(path: Path) -> dict:
    _, recs, coms = process_source(read_source(path))
    return {"recommendations": [dataclasses.asdict(r) for r in recs],
            "commitments": [dataclasses.asdict(c) for c in coms]}


def build() -> dict:
    return {key(p): extraction_record(p) for p in transcripts()}


def render(snapshot: dict) -> str:
    return json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    new = build()
    if "--check" in argv:
        old = json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.exists() else {}
        changed = sorted(k for k in set(new) | set(old) if new.get(k) != old.get(k))
        print("changed: " + (", ".join(changed) or "nothing"))
        return 1 if changed else 0
    SNAPSHOT.write_text(render(new), encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({len(new)} transcripts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
