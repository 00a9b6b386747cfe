"""The annotation corpus (tests/fixtures/corpus/README.md): its files, kinds, split and sources."""
import json
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
SOURCES = json.loads((CORPUS / "sources.json").read_text(encoding="utf-8"))
RESERVED = ("education_4.json", "education_9.json", "covid_5.json", "document_102.pdf", "document_71.pdf",
            "document_8422.pdf", "document_3756.pdf")
USED = ("covid_0.json", "covid_1.json", "covid_3.json", "education_1.json", "education_2.json",
        "education_13.json", "document_29.pdf", "document_10100.pdf", "jp-1.php", "2020-09-29.said")


def test_files_match_the_source_list_and_are_excerpts_of_whole_turns():
    on_disk = {(p.parent.name, p.stem) for part in ("dev", "test") for p in (CORPUS / part).glob("*.txt")}
    assert on_disk == {(s["split"], s["stem"]) for s in SOURCES}
    for s in SOURCES:
        text = (CORPUS / s["split"] / f"{s['stem']}.txt").read_text(encoding="utf-8")
        assert len(text.split()) == s["words"]
        assert 1500 <= s["words"] <= 3500, s["stem"]
        assert text.endswith("\n") and "\r" not in text
        assert len(s["commit"]) == 40 and s["licence"]


def test_kinds_and_split():
    kinds = Counter(s["kind"] for s in SOURCES)
    assert len(SOURCES) >= 27 and len(kinds) >= 5
    test = [s for s in SOURCES if s["split"] == "test"]
    assert len(test) >= 9 and {s["kind"] for s in test} == set(kinds)
    assert abs(len(test) - len(SOURCES) / 3) <= 2
    for batch in {s["batch"] for s in SOURCES}:  # each batch was split a third to test on its own
        rows = [s for s in SOURCES if s["batch"] == batch]
        for kind in {s["kind"] for s in rows}:
            n = sum(s["kind"] == kind for s in rows)
            assert sum(s["kind"] == kind and s["split"] == "test" for s in rows) == max(1, round(n / 3)), (batch, kind)


def test_no_reserved_or_already_used_source():
    for s in SOURCES:
        for name in RESERVED + USED:
            assert not any(p.strip().endswith("/" + name) for p in s["path"].split(",")), (s["stem"], name)
    assert len({(s["repo"], s["path"]) for s in SOURCES}) == len(SOURCES)
