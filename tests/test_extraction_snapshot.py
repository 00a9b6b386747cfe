"""The extractor's full output (every field of every recommendation and commitment) on the seed
and the dev, held-out and blind2 transcripts equals the committed snapshot
(tests/golden/extraction/snapshot.json, rewritten by ``python -m tests.golden.extraction_regen``)."""
import json

import pytest

from golden.extraction_regen import SNAPSHOT, extraction_record, key, transcripts

EXPECTED = json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_snapshot_covers_every_transcript():
    assert sorted(EXPECTED) == sorted(key(p) for p in transcripts())


@pytest.mark.parametrize("path", transcripts(), ids=key)
def test_extraction_output_identical(path):
    got = extraction_record(path)
    want = EXPECTED[key(path)]
    for kind in ("recommendations", "commitments"):
        assert len(got[kind]) == len(want[kind]), kind
        for i, (g, w) in enumerate(zip(got[kind], want[kind])):
            assert g == w, f"{kind}[{i}]"
