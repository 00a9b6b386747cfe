"""loader.reconcile: aligning old and new text, and one-to-one matching (pure functions)."""
from loader.reconcile import New, OffsetMap, Stored, match

S = "The Council should fund more inspectors."


def test_offset_map_through_an_inserted_turn():
    old = f"Ms. A: Hello. {S}\n\nMr. B: {S}\n"
    new = f"Ms. A: Hello. {S}\n\nDr. C: New words here.\n\nMr. B: {S}\n"
    omap = OffsetMap(old, new)
    second = old.rindex(S)
    span = omap.span(second, second + len(S))
    assert new[span[0]:span[1]] == S and span[0] == new.rindex(S)
    first = old.index(S)
    assert omap.span(first, first + len(S)) == (first, first + len(S))
    inserted = new.index("New words")
    assert omap.back(inserted, inserted + 9) is None


def test_many_copies_of_one_sentence_match_one_to_one_in_place():
    """5,000 recommendations, each sentence said five times, a turn inserted at the top."""
    turns = [f"Speaker {k % 7}: Item {k}. The body number {k % 1000} should act now." for k in range(5000)]
    old = "\n\n".join(turns)
    new = "Chair: Welcome.\n\n" + old
    shift = len("Chair: Welcome.\n\n")

    def spans(text):
        out, pos = [], 0
        for t in turns:
            quote = t.split(". ", 1)[1]
            pos = text.index(quote, pos)
            out.append((pos, pos + len(quote), quote))
            pos += len(quote)
        return out

    stored = [Stored(f"r{k}", q, s, e) for k, (s, e, q) in enumerate(spans(old))]
    new_recs = [New(q, s, e) for s, e, q in spans(new)]
    matched = match(stored, new_recs, old, new)
    assert len(matched) == 5000
    assert all(matched[i].id == f"r{i}" for i in range(5000))
    assert all(new_recs[i].char_start == matched[i].char_start + shift for i in range(5000))


def test_longer_span_reaching_into_corrected_words_keeps_the_row():
    """The row's own words are unchanged; the extractor's new span also covers the next, corrected
    sentence: the row takes that span."""
    old = "Ms. A: Hello. The board should meet monthly. It should publsh minutes.\n"
    new = old.replace("publsh", "publish")
    quote = "The board should meet monthly."
    start = old.index(quote)
    longer = "The board should meet monthly. It should publish minutes."
    matched = match([Stored("r1", quote, start, start + len(quote))],
                    [New(longer, new.index(longer), new.index(longer) + len(longer))], old, new)
    assert matched[0].id == "r1"


def test_a_new_sentence_similar_to_a_removed_one_that_was_already_there_is_not_a_correction():
    """Words already in the old text are another sentence, not a correction of the removed one."""
    keep = "The Council should fund more inspectors in the north."
    gone = "The Council should fund more inspectors in the south."
    old = f"Ms. A: {gone}\n\nMr. B: {keep}\n"
    new = f"Mr. B: {keep}\n\nMs. C: {keep}\n"
    rows = [Stored("r-gone", gone, old.index(gone), old.index(gone) + len(gone)),
            Stored("r-keep", keep, old.index(keep), old.index(keep) + len(keep))]
    first, second = new.index(keep), new.rindex(keep)
    matched = match(rows, [New(keep, first, first + len(keep)), New(keep, second, second + len(keep))], old, new)
    assert matched[0].id == "r-keep" and 1 not in matched


def test_a_first_load_pairs_nothing_and_maps_no_offsets(monkeypatch):
    """Nothing stored before: no pairs, and the two texts are not diffed (an offset map of a whole
    transcript costs more than storing it)."""
    from loader import reconcile
    built = []

    class Counting(reconcile.OffsetMap):
        def __init__(self, old, new):
            built.append(len(new))
            super().__init__(old, new)
    monkeypatch.setattr(reconcile, "OffsetMap", Counting)
    text = "We must act. The Council should meet."
    assert reconcile.match([], [reconcile.New("The Council should meet.", 13, 37)], None, text) == {}
    assert built == []
    stored = [reconcile.Stored("r1", "The Council should meet.", 13, 37)]
    assert reconcile.match(stored, [reconcile.New("The Council should meet.", 13, 37)], text, text)[0].id == "r1"
    assert built == [len(text)]
