"""A learned filter over the rules' candidates (pure Python at run time).

The rules (``loader.extract``) propose recommendations and commitments; this module describes each
candidate by a few dozen binary features (its cue, modal strength, the subject's person, the
speaker's side, question / negation / tense marks, where it sits in the meeting, whether an actor
was found, the words and word pairs of the sentence) and scores it with a logistic regression whose
weights are a small JSON file (``loader/filter_model.json``, written by ``make model``, i.e.
``bench/train_filter.py``; scikit-learn is needed only there). A candidate whose calibrated
probability is below the model's threshold is dropped; a kept one gets that probability as its
``confidence``.

It is switched by the lexicon::

    filter:
      enabled: true            # false: the rules' candidates, unfiltered, with the rules' confidence
      model: filter_model.json # a path; relative paths are next to this module
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

from . import extract
from .errors import LexiconError
from .lexicon import load_lexicon
from .model import Commitment, Document, Recommendation
from .speakers import vocabulary

DEFAULT_MODEL = Path(__file__).with_name("filter_model.json")
KINDS = ("recommendation", "commitment")
UNSPECIFIED = "Unspecified"

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_PRONOUNS = {"i": "I", "me": "I", "we": "we", "us": "we", "our": "we", "you": "you", "all of you": "you",
             "they": "they", "them": "they", "he": "they", "she": "they", "it": "it", "this": "it", "that": "it"}
_PERSON_WORDS = (("has_I", re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my)\b")),
                 ("has_we", re.compile(r"\b(?:we|we're|we've|we'd|we'll|us|our|let's)\b", re.I)),
                 ("has_you", re.compile(r"\b(?:you|you're|your)\b", re.I)),
                 ("has_they", re.compile(r"\b(?:they|they're|them|their)\b", re.I)))
_MARKS = (("neg", re.compile(r"\b(?:not|never|no|nobody|nothing|cannot)\b|n't\b", re.I)),
          ("past", re.compile(r"\b(?:was|were|had|did|been)\b|\b\w{3,}ed\b", re.I)),
          ("future", re.compile(r"\b(?:will|shall|going\s+to|gonna)\b|'ll\b", re.I)),
          ("cond", re.compile(r"\b(?:if|would|could|might|unless|whether)\b", re.I)),
          ("perfect_modal", re.compile(r"\b(?:should|must|could|would|might)\s+(?:not\s+)?have\s+\w+(?:ed|en)\b", re.I)),
          ("hedge", re.compile(r"\b(?:I\s+think|I\s+guess|maybe|perhaps|probably|sort\s+of|kind\s+of)\b", re.I)),
          ("disfluency", re.compile(r"\{(?:disfmarker|vocalsound|gap|pause)\}|\b(?:um|uh|mm|hmm)\b", re.I)),
          ("quote", re.compile(r"[\"\u201c\u201d]")))


# ---------------------------------------------------------------- features


def _bucket(value: float, edges: tuple, names: tuple) -> str:
    for edge, name in zip(edges, names):
        if value < edge:
            return name
    return names[-1]


def words(text: str) -> list[str]:
    """Lower-case word tokens (curly apostrophes folded)."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def ngrams(text: str) -> list[str]:
    """Word unigrams (``w:``) and bigrams (``b:``, the first with a sentence-start mark)."""
    toks = words(text)
    return ([f"w:{t}" for t in toks] + [f"b:<s>_{toks[0]}"] * bool(toks)
            + [f"b:{a}_{b}" for a, b in zip(toks, toks[1:])])


def speaker_side(rules, doc: Document, turn, role_words=frozenset()) -> list[str]:
    """Features of who speaks: their side (government / chair / delegate / legislator), role words."""
    speaker = next((s for s in doc.speakers if s.key == turn.speaker_key), None) if turn else None
    if turn is None:
        return ["role=none"]
    aff = extract._affiliation(speaker, turn)
    out = []
    if extract._speaks_for_government(rules, speaker, turn):
        out.append("side=own_government")
    if aff and rules.chair_roles is not None and rules.chair_roles.search(aff):
        out.append("side=chair")
    if aff and extract._audience_of(rules, aff):
        out.append("side=delegate")
    if aff and rules.members and extract._member_agent(rules, aff):
        out.append("side=member")
    if not aff:
        out.append("role=none")
    if not turn.label:
        out.append("unlabelled")
    out += [f"role_w:{w}" for w in sorted(set(words(aff or ""))) if w in role_words]  # role words, not names
    return out or ["side=other"]


def subject_person(item) -> str:
    """Who the rules read as the subject: I / we / you / they / it, a named actor, or nobody."""
    text = " ".join((getattr(item, "actor_text", None) or "").lower().split())
    if text in _PRONOUNS:
        return _PRONOUNS[text]
    if item.actor and item.actor != UNSPECIFIED:
        return "named"
    return "none"


def candidate_features(rules, doc: Document, item, kind: str, turn_index: dict, role_words=frozenset()) -> list[str]:
    """The binary features of one candidate (a Recommendation or Commitment of ``doc``), sorted.

    ``rules``: the compiled lexicon (``extract.rules_for``); ``role_words``: the lexicon's speaker
    role words (``speakers.vocabulary(lexicon).role_words``), the only words of a role used."""
    at = turn_index.get(item.turn_seq)
    turn = doc.turns[at] if at is not None else None
    text = " ".join(item.text.split())
    cue, _, how = item.cue.partition("+")
    feats = [f"cue={cue}", f"subj={subject_person(item)}", f"actor_kind={item.actor_kind or 'none'}"]
    if how:
        feats.append(f"cue_via={how}")
    feats.append("actor=unspecified" if item.actor == UNSPECIFIED else "actor=found")
    if kind == "recommendation":
        feats += [f"strength={item.strength}", f"cue*strength={cue}*{item.strength}"]
    else:
        feats.append(f"signal={item.signal}")
    feats += [name for name, rx in _PERSON_WORDS if rx.search(text)]
    feats += [name for name, rx in _MARKS if rx.search(text)]
    if "?" in text:
        feats.append("question" if text.rstrip(" \"'\u201d)").endswith("?") else "has_question")
    side = speaker_side(rules, doc, turn, role_words)
    feats += side
    main_side = next((f for f in side if f.startswith("side=")), "side=other")
    feats += [f"cue*subj={cue}*{subject_person(item)}", f"{main_side}*subj={subject_person(item)}",
              f"{main_side}*cue={cue}"]
    feats += [f"doc_{k}" for k in ("forum", "addressee", "addressee_we") if getattr(doc, k)]
    n = len(words(text))
    feats.append("len=" + _bucket(n, (10, 20, 35, 60), ("xs", "s", "m", "l", "xl")))
    if turn is not None:
        span = max(1, turn.char_end - turn.speech_start)
        feats.append("in_turn=" + _bucket((item.char_start - turn.speech_start) / span, (0.05, 0.5, 0.9),
                                          ("first", "early", "late", "last")))
        feats.append("turn_len=" + _bucket(len(turn.text.split()), (30, 120, 400), ("s", "m", "l", "xl")))
        feats.append("doc_pos=" + _bucket(at / max(1, len(doc.turns)), (0.1, 0.9), ("start", "middle", "end")))
    feats += ngrams(text)
    return sorted(set(feats))


def turn_index(doc: Document) -> dict:
    return {t.seq: i for i, t in enumerate(doc.turns)}


# ---------------------------------------------------------------- the model


class FilterModel:
    """The weights of ``filter_model.json``: per kind a bias, weights, Platt calibration, threshold."""

    def __init__(self, data: dict, source: str = "<dict>"):
        self.data, self.source = data, source
        try:
            self.parts = {k: data[k] for k in KINDS if k in data}
            for k, part in self.parts.items():
                float(part["bias"]), float(part["threshold"]), dict(part["weights"])
                float(part["calibration"]["a"]), float(part["calibration"]["b"])
        except (KeyError, TypeError, ValueError) as e:
            raise LexiconError(f"{source}: not a filter model ({type(e).__name__}: {e})") from None

    def decision(self, kind: str, features) -> float:
        """The logistic regression's raw score (what scikit-learn's ``decision_function`` gives)."""
        part = self.parts[kind]
        weights = part["weights"]
        return float(part["bias"]) + sum(weights.get(f, 0.0) for f in features)

    def probability(self, kind: str, features) -> float:
        """The calibrated probability that the candidate is a gold item of its kind."""
        cal = self.parts[kind]["calibration"]
        return _sigmoid(cal["a"] * self.decision(kind, features) + cal["b"])

    def keeps(self, kind: str, probability: float) -> bool:
        return kind not in self.parts or probability >= self.parts[kind]["threshold"]

    def apply(self, lexicon, doc: Document, recs: list[Recommendation], coms: list[Commitment]) -> tuple[list, list]:
        """The candidates the model keeps, each with its probability as ``confidence`` (new lists)."""
        rules, role_words = extract.rules_for(lexicon), vocabulary(lexicon).role_words
        index = turn_index(doc)
        out = []
        for kind, items in (("recommendation", recs), ("commitment", coms)):
            kept = []
            for item in items:
                if kind not in self.parts:
                    kept.append(item)
                    continue
                p = self.probability(kind, candidate_features(rules, doc, item, kind, index, role_words))
                if self.keeps(kind, p):
                    item.confidence = round(p, 2)
                    kept.append(item)
            out.append(kept)
        return out[0], out[1]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


_MODELS: dict = {}
_DEFAULT: list = []  # the default lexicon, read once (``extract(doc)`` without a lexicon)


def _default_lexicon() -> dict:
    if not _DEFAULT:
        _DEFAULT.append(load_lexicon())
    return _DEFAULT[0]


def model_path(lexicon: dict | None) -> Path | None:
    """The model file the lexicon's ``filter`` section switches on, or None when it is off."""
    spec = (lexicon or {}).get("filter")
    if isinstance(spec, bool) or spec is None:
        return DEFAULT_MODEL if spec else None
    if not isinstance(spec, dict):
        raise LexiconError("lexicon filter: expected true/false or a mapping with enabled/model")
    if not spec.get("enabled", True):
        return None
    path = Path(str(spec.get("model") or DEFAULT_MODEL.name))
    return path if path.is_absolute() else DEFAULT_MODEL.parent / path


def read_model(path) -> FilterModel:
    """Read a weight file. Raises LexiconError naming the file when it cannot be read or parsed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise LexiconError(f"{path}: cannot read the filter model ({e.strerror or e})") from None
    except json.JSONDecodeError as e:
        raise LexiconError(f"{path}: filter model is not JSON (line {e.lineno}: {e.msg})") from None
    return FilterModel(data, str(path))


def filter_for(lexicon: dict | None) -> FilterModel | None:
    """The filter model the lexicon switches on (read once per file and modification time), or None."""
    path = model_path(_default_lexicon() if lexicon is None else lexicon)
    if path is None:
        return None
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError as e:
        raise LexiconError(f"{path}: cannot read the filter model ({e.strerror or e})") from None
    if key not in _MODELS:
        _MODELS.clear()
        _MODELS[key] = read_model(path)
    return _MODELS[key]


def model_digest(lexicon: dict | None) -> str | None:
    """sha256 of the model file the lexicon switches on (None when off): documents extracted with
    another model are out of date."""
    path = model_path(lexicon)
    if path is None or not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()
