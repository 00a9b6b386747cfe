"""``rectrack eval --corpus DIR [--split S]``: figures per kind of transcript and pooled, through
the real CLI (CliRunner) on the real corpus's dev part and on small corpora made in tmp_path."""
import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from loader.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
_spec = importlib.util.spec_from_file_location("corpus_scores", ROOT / "bench" / "corpus_scores.py")
corpus_scores = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus_scores)

ROW = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+) \|"
                 r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")


def run(*args):
    return CliRunner().invoke(cli, ["eval", *args])


def table(output: str) -> dict:
    """{kind or "pooled": (files, tp, fp, fn, P, R, F1, actor, com P, com R, com F1)} from the report."""
    out = {}
    for line in output.splitlines():
        m = ROW.match(line)
        if m:
            out[m.group(1)] = tuple(int(x) for x in m.groups()[1:5]) + tuple(float(x) for x in m.groups()[5:])
    return out


def test_dev_split_per_kind_and_pooled_match_the_bench_script():
    result = run("--corpus", str(CORPUS), "--split", "dev")
    assert result.exit_code == 0, result.output
    got = table(result.output)
    _, pool, by_kind, _ = corpus_scores.score_corpus("dev")
    assert set(got) == set(by_kind) | {"pooled"} and len(by_kind) >= 5
    for kind, p in [*by_kind.items(), ("pooled", pool)]:
        assert got[kind][1:4] == (p["tp"], p["fp"], p["fn"]), kind
        assert got[kind][4:8] == tuple(round(p[k], 2) for k in ("precision", "recall", "f1", "actor_accuracy")), kind
        assert got[kind][10] == round(p["com_f1"], 2), kind
    sources = json.loads((CORPUS / "sources.json").read_text(encoding="utf-8"))
    dev = [s["stem"] for s in sources if s.get("split") == "dev"]
    annotated = [s for s in dev if (CORPUS / "gold" / f"{s}_recommendations.json").is_file()]
    n = len(annotated)
    assert n >= 19 and got["pooled"][0] == n and sum(v[0] for k, v in got.items() if k != "pooled") == n
    waiting = [s for s in dev if s not in annotated]  # a batch under annotation: named, not scored
    assert (f"No gold yet for: {', '.join(waiting)}" in result.output) == bool(waiting)


def small_corpus(tmp_path, stems):
    """A corpus of the dev files ``stems`` (kind from the real sources.json) plus one entry without gold."""
    sources = {s["stem"]: s for s in json.loads((CORPUS / "sources.json").read_text(encoding="utf-8"))}
    corpus = tmp_path / "corpus"
    (corpus / "gold").mkdir(parents=True)
    (corpus / "dev").mkdir()
    for stem in stems:
        shutil.copy(CORPUS / "dev" / f"{stem}.txt", corpus / "dev")
        for kind in ("recommendations", "commitments", "coverage"):
            shutil.copy(CORPUS / "gold" / f"{stem}_{kind}.json", corpus / "gold")
    entries = [{"stem": s, "kind": sources[s]["kind"], "split": "dev"} for s in stems]
    entries.append({"stem": "not_annotated_yet", "kind": "hearing", "split": "dev"})
    (corpus / "sources.json").write_text(json.dumps(entries), encoding="utf-8")
    return corpus


def test_a_small_corpus_of_two_kinds(tmp_path):
    corpus = small_corpus(tmp_path, ["un_ga_A-60-PV.25", "canada_covid_2"])
    result = run("--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    assert "No gold yet for: not_annotated_yet" in result.output
    got = table(result.output)
    assert set(got) == {"un_ga", "question_period", "pooled"}
    assert got["pooled"][0] == 2
    for i in (1, 2, 3):  # pooled counts are the kinds' sums
        assert got["pooled"][i] == got["un_ga"][i] + got["question_period"][i]
    one = table(run("--corpus", str(corpus), "--split", "dev").output)
    assert one == got


@pytest.mark.parametrize("args,message", [
    (["--split", "dev"], "--split goes with --corpus DIR"),
    (["--gold", str(ROOT / "tests" / "fixtures" / "gold"), "--corpus", str(CORPUS)], "one of them"),
])
def test_option_errors(args, message):
    result = run(*args)
    assert result.exit_code != 0 and message in result.output


def test_corpus_errors_name_the_file(tmp_path):
    result = run("--corpus", str(tmp_path))
    assert result.exit_code == 1 and f"{tmp_path / 'sources.json'}: no such file" in result.output
    assert "Traceback" not in result.output
    (tmp_path / "sources.json").write_text("[{\"stem\": 3}]", encoding="utf-8")
    result = run("--corpus", str(tmp_path))
    assert result.exit_code == 1 and "entry 1 needs a \"stem\" and a \"kind\"" in result.output
    corpus = small_corpus(tmp_path, ["canada_covid_2"])
    result = run("--corpus", str(corpus), "--split", "tset")
    assert result.exit_code == 1 and "no split 'tset' (splits: dev)" in result.output
    (corpus / "gold" / "canada_covid_2_recommendations.json").write_text("{", encoding="utf-8")
    result = run("--corpus", str(corpus))
    assert result.exit_code == 1 and "canada_covid_2_recommendations.json: not valid JSON" in result.output


def test_a_coverage_file_without_offsets_is_one_line_naming_it(tmp_path):
    corpus = small_corpus(tmp_path, ["canada_covid_2"])
    (corpus / "gold" / "canada_covid_2_coverage.json").write_text("{\"char_start\": 0}", encoding="utf-8")
    result = run("--corpus", str(corpus))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "canada_covid_2_coverage.json: needs integer \"char_start\" and \"char_end\"" in result.output
