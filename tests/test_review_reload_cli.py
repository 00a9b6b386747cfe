"""The real pipeline through the CLI: corrections of every kind and a manual addition made with
``rectrack set`` / ``rectrack add`` survive reloading the same seed file, a corrected copy whose
offsets shifted, and a reload with an extra lexicon that changes extraction."""
import json
import re

from click.testing import CliRunner

from conftest import SEED_FILE
from loader.cli import cli
from tracking_helpers import rows

EXTRA_LEXICON = (
    "themes:\n  rectrack test theme: [civilians, protection, mandate]\n"
    "cues:\n  recommendation:\n    - name: rectrack_test_we_will\n      pattern: '\\bwe\\s+will\\b'\n"
    "      actor: subject\n      strength: could\n      confidence: 0.5\n")


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def state(db, ids):
    out = {}
    for rid in ids:
        (rec,) = rows(db, "select * from recommendations where id = ?", (rid,))
        actors = [r["actor_id"] for r in rows(db, "select actor_id from recommendation_actors "
                                                  "where recommendation_id = ? order by position", (rid,))]
        history = rows(db, "select * from status_changes where recommendation_id = ? order by id", (rid,))
        out[rid] = (rec, actors, history)
    return out


def test_corrections_and_addition_survive_three_reloads(tmp_path):
    db = tmp_path / "rectrack.db"
    invoke("load", SEED_FILE, "--db", db)
    recs = rows(db, "select * from recommendations order by char_start")
    length = len(rows(db, "select text from documents")[0]["text"])
    late = [r for r in recs if r["char_start"] > length // 3]  # the corrected copy shifts them
    b = next(r for r in late if re.search(r"civilians|protection|mandate", r["text"], re.I))  # the extra theme's words
    a, c, d, e, f = [r for r in late if r is not b][-5:]
    invoke("set", a["id"], "--db", db, "--actor", "Security Council", "--actor", "Local NGOs",
           "--actor-kind", "civil society")
    invoke("set", b["id"], "--db", db, "--theme", "rectrack corrected theme")
    invoke("set", c["id"], "--db", db, "--strength", "could" if c["strength"] != "could" else "must")
    invoke("set", d["id"], "--db", db, "--span", f"{d['char_start']}:{d['char_start'] + 30}")
    invoke("set", e["id"], "--db", db, "--kind", "commitment")
    invoke("set", f["id"], "--db", db, "--reviewed")
    text = rows(db, "select text from documents")[0]["text"]
    taken = [(r["char_start"], r["char_end"]) for r in recs]
    taken += [(r["char_start"], r["char_end"]) for r in rows(db, "select * from commitments")]
    turn = next(t for t in rows(db, "select * from turns order by seq desc")
                if t["char_end"] - t["char_start"] > 300 and t["char_start"] > len(text) // 2
                and not any(t["char_start"] <= s < t["char_end"] for s, _ in taken))
    start = turn["char_end"] - 120
    out = invoke("add", "--db", db, "--document", turn["document_id"], "--span", f"{start}:{turn['char_end']}")
    manual = out.split(":")[0]
    ids = [a["id"], b["id"], c["id"], d["id"], e["id"], f["id"], manual]
    fields = {a["id"]: ("actor_id",), b["id"]: ("theme",), c["id"]: ("strength",), d["id"]: ("text",),
              e["id"]: ("kind",), f["id"]: (), manual: ("actor_id", "theme", "strength", "kind", "text")}
    human = ("reviewed_at", "reviewed_by", "corrected", "origin", "version", "status")

    def kept(before, after):
        for rid in ids:
            (r0, actors0, h0), (r1, actors1, h1) = before[rid], after[rid]
            assert {k: r0[k] for k in (*human, *fields[rid])} == {k: r1[k] for k in (*human, *fields[rid])}, rid
            assert h0 == h1, rid
            if "actor_id" in fields[rid]:
                assert actors0 == actors1
        now = rows(db, "select text from documents")[0]["text"]
        for rid in ids:
            rec = after[rid][0]
            assert rec["char_start"] is not None and now[rec["char_start"]:rec["char_end"]] == rec["text"], rid

    before = state(db, ids)
    assert before[a["id"]][1] == ["security-council", "local-ngos"]
    assert json.loads(before[d["id"]][0]["corrected"]) == ["span"]
    # 1. the same file
    invoke("load", SEED_FILE, "--db", db)
    kept(before, state(db, ids))
    # 2. a corrected copy: words inserted near the top shift every later offset
    corrected = tmp_path / "copy" / SEED_FILE.name
    corrected.parent.mkdir()
    source = SEED_FILE.read_text(encoding="utf-8-sig")
    cut = source.index(" and ", len(source) // 4)
    corrected.write_text(source[:cut] + " as well as " + source[cut + 5:], encoding="utf-8")
    invoke("load", corrected, "--db", db)
    after = state(db, ids)
    kept(before, after)
    assert after[d["id"]][0]["char_start"] == d["char_start"] + 7
    # 3. a changed lexicon
    lexicon = tmp_path / "extra.yml"
    lexicon.write_text(EXTRA_LEXICON, encoding="utf-8")
    extracted = rows(db, "select id, theme, cue from recommendations where extracted = 1 order by id")
    invoke("load", corrected, "--db", db, "--lexicon", lexicon)
    assert rows(db, "select id, theme, cue from recommendations where extracted = 1 order by id") != extracted
    assert rows(db, "select count(*) as n from recommendations where theme = 'rectrack test theme'")[0]["n"] > 0
    kept(before, state(db, ids))
    assert state(db, [b["id"]])[b["id"]][0]["theme"] == "rectrack corrected theme"
