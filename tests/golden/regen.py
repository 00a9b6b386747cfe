"""Regenerate the golden files for the dev transcripts when a parser change is intended.

    .venv/bin/python -m tests.golden.regen          # rewrite tests/golden/*.json
    .venv/bin/python -m tests.golden.regen --check  # show which golden files would change
    .venv/bin/python -m tests.golden.regen --scores # turn/speaker scores: seed vs gold, dev vs golden, timing

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


def scores() -> None:
    import time

    from loader.evaluate import load_gold, score_speakers, score_turns

    seed = FIXTURES.parent.parent / "seeds" / "000_59fee67576fde5b5.txt"
    gold = load_gold(FIXTURES / "gold")
    source = read_source(seed)
    resolve_speakers(parse_document(source))  # warm the lexicon cache
    start = time.perf_counter()
    doc = resolve_speakers(parse_document(source))
    ms = (time.perf_counter() - start) * 1000
    rows = [("seed (gold)", doc, gold["turns"], gold["speakers"])]
    for name in DEV_FILES:
        golden = json.loads(golden_path(name).read_text(encoding="utf-8"))
        rows.append((f"{name} (golden)", resolve_speakers(parse_document(read_source(FIXTURES / name))),
                     golden["turns"], None))
    for label, d, turns, speakers in rows:
        t = score_turns(d, turns)
        b = score_speakers(d, turns, speakers)
        print(f"{label:58} turns P/R/F1 {t['precision']:.3f}/{t['recall']:.3f}/{t['f1']:.3f}"
              f"  speaker acc {t['speaker_accuracy']:.3f}  B-cubed F1 {b['f1']:.3f}"
              f"  ({t['matched']}/{t['gold']} gold, {t['system']} system)")
    print(f"seed parse + resolve: {ms:.1f} ms (lexicon cached)")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--scores" in argv:
        scores()
        return 0
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
