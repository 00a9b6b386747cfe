"""Regenerate the golden files for the dev transcripts when a parser change is intended.

    .venv/bin/python -m tests.golden.regen          # rewrite tests/golden/*.json
    .venv/bin/python -m tests.golden.regen --check  # show which golden files would change

Review the diff (``git diff tests/golden``) before committing: the first turns of each file were
checked by hand against the transcript, so a change there must be a deliberate fix.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from loader.evaluate import golden_record
from loader.read import read_source
from loader.speakers import resolve_speakers
from loader.turns import parse_document

GOLDEN = Path(__file__).parent
FIXTURES = GOLDEN.parent / "fixtures"
DEV_FILES = (
    "un_sc_S-PV.10100.txt",
    "un_ga_A-79-PV.29.txt",
    "canada_commons_covid19_committee_meeting.txt",
    "welsh_assembly_education_committee_meeting.txt",
)


def golden_path(name: str) -> Path:
    return GOLDEN / (Path(name).stem + ".json")


def build(name: str) -> dict:
    doc = parse_document(read_source(FIXTURES / name))
    resolve_speakers(doc)
    return golden_record(doc, name)


def render(record: dict) -> str:
    return json.dumps(record, indent=1, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    changed = []
    for name in DEV_FILES:
        path = golden_path(name)
        new = render(build(name))
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if new != old:
            changed.append(path.name)
            if not check:
                path.write_text(new, encoding="utf-8")
    print(("would change: " if check else "rewrote: ") + (", ".join(changed) or "nothing"))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
