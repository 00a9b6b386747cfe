from click.testing import CliRunner
from conftest import GOLD

from loader.cli import cli, eval_figures
from loader.evaluate import match_spans, score_commitments, score_recommendations, spans_match
from loader.model import Commitment, Document, Recommendation

TEXT = ("Chair: The Council must act now. We will share our draft soon. "
        "Missions should report monthly. It rained. The Secretariat has to plan better.")


def doc():
    return Document(id="d", text=TEXT, source_path="d.txt", sha256="0")


def rec(quote, actor="Unspecified"):
    start = TEXT.index(quote)
    return Recommendation(turn_seq=1, speaker_key=None, text=quote, char_start=start, char_end=start + len(quote),
                          actor=actor, actor_kind=None, actor_text=None, theme="other", strength="must",
                          cue="modal", confidence=0.8)


def com(quote, signal="committed"):
    start = TEXT.index(quote)
    return Commitment(turn_seq=1, speaker_key=None, text=quote, char_start=start, char_end=start + len(quote),
                      actor="X", actor_kind=None, signal=signal, cue="promise", confidence=0.7)


def test_span_overlap_is_half_of_the_shorter():
    assert spans_match((0, 10), (5, 30)) == 5  # 5 >= 10 / 2
    assert spans_match((0, 10), (6, 30)) == 0  # 4 < 5
    assert spans_match((0, 100), (10, 20)) == 10  # contained
    assert spans_match((0, 10), (10, 20)) == 0
    assert spans_match((-1, -1), (0, 5)) == 0


def test_matching_is_one_to_one_largest_overlap_first():
    assert match_spans([(0, 10), (0, 12)], [(0, 12)]) == [(1, 0)]
    assert match_spans([(0, 10), (20, 30)], [(0, 30)]) in ([(0, 0)], [(1, 0)])


def test_recommendation_scoring_borderline_neutral_and_actor_aliases():
    gold = [
        {"quote": "The Council must act now.", "confidence": "clear", "actor": "Security Council"},
        {"quote": "Missions should report monthly.", "confidence": "borderline", "actor": "Peacekeeping Missions"},
        {"quote": "The Secretariat has to plan better.", "confidence": "clear", "actor": "UN Secretariat"},
    ]
    system = [rec("The Council must act now.", "the Council"),  # an alias of the gold actor
              rec("Missions should report monthly."),  # borderline: neutral
              rec("It rained.")]  # a false positive
    s = score_recommendations(doc(), system, gold)
    assert (s["tp"], s["fp"], s["fn"], s["neutral"]) == (1, 1, 1, 1)
    assert s["precision"] == 0.5 and s["recall"] == 0.5
    assert s["actor_accuracy"] == 1.0
    s = score_recommendations(doc(), [rec("The Council must act now.", "Member States")], gold)
    assert s["actor_accuracy"] == 0.0 and s["precision"] == 1.0


def test_commitment_scoring():
    gold = [{"quote": "We will share our draft soon.", "status_signal": "committed"},
            {"quote": "The Secretariat has to plan better.", "status_signal": "in progress"}]
    s = score_commitments(doc(), [com("We will share our draft soon."), com("It rained.")], gold)
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 1)
    assert s["f1"] == 0.5 and s["signal_accuracy"] == 1.0


def test_eval_figures_on_the_seed():
    figs = eval_figures(GOLD, "seeds/000_59fee67576fde5b5.txt")
    r, c = figs["recommendations"], figs["commitments"]
    assert r["gold_clear"] == 59 and r["gold_borderline"] == 34
    assert r["tp"] + r["fn"] == 59 and 0 <= r["actor_accuracy"] <= 1
    assert c["tp"] + c["fn"] == 31
    assert figs["extract_seconds"] > 0  # timed; its target lives in bench/bench.py


def test_eval_command_prints_every_figure():
    result = CliRunner().invoke(cli, ["eval", "--gold", str(GOLD)])
    assert result.exit_code == 0, result.output
    for line in ("Turns:", "Speakers:", "Recommendations:", "Actors:", "Commitments:", "Extraction time:"):
        assert line in result.output
    assert "F1" in result.output.split("Recommendations:")[1].splitlines()[0]


def test_eval_command_errors(tmp_path):
    result = CliRunner().invoke(cli, ["eval", "--gold", str(tmp_path)])
    assert result.exit_code != 0 and "no gold files" in result.output
    assert "Traceback" not in result.output


def test_borderline_gold_commitments_are_neutral():
    from loader.evaluate import score_commitments
    from loader.model import Commitment, Document

    text = "We will publish the report. We are looking at it. We will hire staff."
    doc = Document(id="d", text=text, source_path="d.txt", sha256="x")

    def com(quote):
        start = text.index(quote)
        return Commitment(turn_seq=1, speaker_key=None, text=quote, char_start=start, char_end=start + len(quote),
                          actor="Government", actor_kind=None, signal="committed", cue="own_side", confidence=0.5)

    gold = [{"id": "C1", "quote": "We will publish the report.", "status_signal": "committed"},
            {"id": "C2", "quote": "We are looking at it.", "confidence": "borderline"},
            {"id": "C3", "quote": "We will hire staff.", "status_signal": "committed"}]
    # finds the clear C1 and the borderline C2, misses the clear C3
    s = score_commitments(doc, [com("We will publish the report."), com("We are looking at it.")], gold)
    assert (s["tp"], s["fp"], s["fn"], s["neutral"]) == (1, 0, 1, 1)
    assert s["missed"] == ["C3"]
    # not finding the borderline C2 is no miss
    s = score_commitments(doc, [com("We will publish the report."), com("We will hire staff.")], gold)
    assert (s["tp"], s["fp"], s["fn"], s["neutral"]) == (2, 0, 0, 0)
