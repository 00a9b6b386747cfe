"""One well-formedness check for the gold sets in the seed gold's format (dev, held-out, blind2)."""

REC_FIELDS = {"id", "speaker", "quote", "actor", "actor_text", "theme", "strength", "confidence"}
COM_FIELDS = {"id", "speaker", "quote", "actor", "responds_to", "status_signal"}


def assert_gold_well_formed(stem, text, gold, doc=None, overlap_across_kinds=False):
    """Fields and vocabularies present; ids unique; quotes verbatim, unique, inside the coverage
    range and not overlapping.

    With ``overlap_across_kinds`` a recommendation may share its sentence with a commitment (the
    corpus guidelines' "both" case); spans of one kind still may not overlap.
    With ``doc`` (the parsed document) every quote, alt_quotes included, must also lie inside one
    parsed turn whose label matches the gold speaker; without it alt_quotes need only be in the text.
    """
    cov = gold["coverage"]
    assert 0 <= cov["char_start"] < cov["char_end"] <= len(text)
    if doc is not None:
        assert doc.text == text  # gold quotes are located in doc.text
    spans = []
    for kind, fields in (("recommendations", REC_FIELDS), ("commitments", COM_FIELDS)):
        ids = [g["id"] for g in gold[kind]]
        assert len(ids) == len(set(ids)), f"{stem}: duplicate ids"
        for g in gold[kind]:
            assert fields <= set(g), (g["id"], fields - set(g))
            alts = list(g.get("alt_quotes", ()))
            for q in [g["quote"]] + (alts if doc is not None else []):
                at = text.find(q)
                assert q and at != -1, (stem, g["id"], "quote not verbatim")
                assert text.find(q, at + 1) == -1, (stem, g["id"], "quote not unique")
                end = at + len(q)
                assert cov["char_start"] <= at and end <= cov["char_end"], (stem, g["id"], "outside coverage")
                if doc is not None:
                    turns = [t for t in doc.turns if t.speech_start <= at and end <= t.char_end]
                    assert len(turns) == 1, (stem, g["id"], "not inside one parsed turn")
                    label = turns[0].label or ""
                    assert label.startswith(g["speaker"]) or g["speaker"].startswith(label), (
                        stem, g["id"], f"speaker {g['speaker']!r} but turn label {label!r}")
                spans.append((at, end, g["id"], kind if overlap_across_kinds else ""))
            if doc is None:
                for alt in alts:
                    assert alt in text, (stem, g["id"], "alt_quote not verbatim")
            if kind == "recommendations":
                assert g["strength"] in ("must", "should", "could")
                assert g["confidence"] in ("clear", "borderline")
            else:
                assert g["status_signal"] in ("committed", "in progress", "done", "declined")
    for group in {s[3] for s in spans}:
        mine = sorted(s for s in spans if s[3] == group)
        for a, b in zip(mine, mine[1:]):
            assert b[0] >= a[1], f"{stem}: {a[2]} overlaps {b[2]}"
