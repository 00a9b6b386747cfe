"""Build the annotation corpus ``tests/fixtures/corpus/{dev,test}/*.txt`` from public repositories.

This is the record of how the corpus was made; it is not needed to use the corpus (the texts are
committed) and it never runs the extractor. It reads each source with ``git show <commit>:<path>``
from bare clones of the source repositories under ``--mirror-root`` (``<owner>+<name>/repo``),
renders it as plain UTF-8 text in the layout the loader reads, cuts an excerpt of whole speaker
turns (about 1,500-3,500 words), draws the dev/test split once (seeded, stratified by kind) and
writes the texts and ``tests/fixtures/corpus/README.md``'s table (``sources.json``).

    .venv/bin/python bench/corpus_build.py --mirror-root /work/.mirror

Uses pypdf (a runtime dependency) for the UN records.
"""
from __future__ import annotations

import argparse
import html
import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SEED = 20261201
TARGET_WORDS = 2500
MAX_WORDS = 3500
MIN_WORDS = 1500

QMSUM = "Yale-LILY/QMSum"
UNX = "un-project/un-extractor"
DEBATES = "mytakedotorg/us-presidential-debates"
IRANCONTRA = "rcchan/irancontra"

LICENCES = {
    "welsh": "QMSum MIT; Senedd record, Open Government Licence",
    "canada": "QMSum MIT; House of Commons Hansard (reproduction for non-commercial use permitted)",
    "ami": "QMSum MIT; AMI Meeting Corpus CC BY 4.0",
    "icsi": "QMSum MIT; ICSI Meeting Corpus CC BY 4.0",
    "un": "un-extractor MIT; UN official record (UN documents may be reproduced freely)",
    "debate": "no licence file; Commission on Presidential Debates transcript (public domain)",
    "hearing": "no licence file; US Congress hearing record (public domain)",
}

# Sources never to be read (reserved for independent evaluation) or already used in other gold sets.
RESERVED_QMSUM = {"education_4", "education_9", "covid_5"}
USED_QMSUM = {"covid_0", "covid_1", "covid_3", "education_1", "education_2", "education_13"}
USED_DEBATES = {"2020-09-29"}

UN_RECORDS = [  # (stem, repo, path, commit or None for HEAD, first line of the excerpt or None)
    ("un_ga_A-48-PV.46", UNX, "data/raw_pdfs/en/ga/48/pv/document_46.pdf", None, None),
    # skips the tributes and deferred items: starts at the Declaration on the Rights of Indigenous Peoples
    ("un_ga_A-61-PV.107", UNX, "data/raw_pdfs/en/ga/61/pv/document_107.pdf", None, r"^Agenda item 68 \(continued\)"),
    ("un_ga_A-64-PV.121", UNX, "data/raw_pdfs/en/ga/64/pv/document_121.pdf", None, None),
    # two test PDFs not in the default branch any more; read at the commit that added them
    ("un_ga_A-60-PV.25", UNX, "tests/data/N0553261.pdf", "8e32b986e6fb342e93f501e9ab2ad65bff72a494", None),
    ("un_ga_A-60-PV.85", UNX, "tests/data/N0637121.pdf", "8e32b986e6fb342e93f501e9ab2ad65bff72a494", None),
]

HEARINGS = [  # (stem, files joined in order, description)
    ("hearing_irancontra_opening", ["os-1", "os-2", "os-3", "os-4"],
     "Iran-Contra joint hearings, opening statements (5 May 1987)"),
    ("hearing_irancontra_closing", ["cs-1", "cs-2", "cs-3"],
     "Iran-Contra joint hearings, closing statements (3 August 1987)"),
    ("hearing_irancontra_north", ["on-13"],
     "Iran-Contra joint hearings, Oliver North testimony, questions by counsel Liman"),
]

# The joint hearings' other witnesses (clip prefix: stem, who), for the fourth batch. North (``on-``)
# and Poindexter (``jp-``) are used, ``os-`` / ``cs-`` are the opening and closing statements and
# ``new-1`` is a member's statement to North, not testimony.
NOT_WITNESSES = {"on", "jp", "os", "cs", "new"}
WITNESSES = {
    "ac": ("calero", "Adolfo Calero"), "ah": ("hakim", "Albert Hakim"),
    "cw": ("weinberger", "Secretary of Defense Caspar Weinberger"), "dr": ("regan", "Donald Regan"),
    "ea": ("abrams", "Assistant Secretary of State Elliott Abrams"), "em": ("meese", "Attorney General Edwin Meese"),
    "fh": ("hall", "Fawn Hall"), "fr": ("rodriguez", "Felix Rodriguez"),
    "gs": ("shultz", "Secretary of State George Shultz"), "rm": ("mcfarlane", "Robert McFarlane"),
    "rs": ("secord", "Richard Secord"),
}

LABEL_RE = re.compile(
    r"^\s*(?:The (?:Acting )?President|(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Prince|Sheikh|Archbishop)\.?\s"
    r"[^\n:]{1,120}?)\s*(?:\([^\n:]*\))?\s*:", re.IGNORECASE)


class Mirror:
    def __init__(self, root: Path):
        self.root = root

    def gitdir(self, repo: str) -> Path:
        return self.root / repo.replace("/", "+") / "repo"

    def show(self, repo: str, rev: str, path: str) -> bytes:
        return subprocess.run(["git", "--git-dir", str(self.gitdir(repo)), "show", f"{rev}:{path}"],
                              check=True, capture_output=True).stdout

    def last_commit(self, repo: str, paths: str | list[str], rev: str = "HEAD") -> str:
        paths = [paths] if isinstance(paths, str) else paths
        out = subprocess.run(["git", "--git-dir", str(self.gitdir(repo)), "log", "-1", "--format=%H",
                              rev, "--", *paths], check=True, capture_output=True, text=True).stdout
        return out.strip()

    def ls(self, repo: str, folder: str) -> list[str]:
        out = subprocess.run(["git", "--git-dir", str(self.gitdir(repo)), "ls-tree", "--name-only",
                              f"HEAD:{folder}"], check=True, capture_output=True, text=True).stdout
        return out.split()


def words(text: str) -> int:
    return len(text.split())


def take_turns(turns: list[str], start: int) -> tuple[list[str], int, int]:
    """Whole turns from ``start`` until TARGET_WORDS is reached, never past MAX_WORDS once MIN_WORDS is met."""
    kept, n, i = [], 0, start
    while i < len(turns) and n < TARGET_WORDS:
        w = words(turns[i])
        if n >= MIN_WORDS and n + w > MAX_WORDS:
            break
        kept.append(turns[i])
        n += w
        i += 1
    return kept, start, i


def qmsum_turns(mirror: Mirror, path: str) -> list[str]:
    data = json.loads(mirror.show(QMSUM, "HEAD", path))
    return [f"{t['speaker']}: {t['content']}" for t in data["meeting_transcripts"]]


def said_turns(mirror: Mirror, path: str) -> list[str]:
    text = mirror.show(DEBATES, "HEAD", path).decode("utf-8")
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def html_to_text(raw: str) -> str:
    body = raw.split("<body>", 1)[-1]
    body = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", body)
    body = re.sub(r"<br\s*/?>", "\n", body)
    body = re.sub(r"</p>", "\n\n", body)
    body = html.unescape(re.sub(r"<[^>]+>", "", body))
    lines = [ln.strip() for ln in body.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def label_lines(lines: list[str]) -> list[int]:
    """Lines that open a speech: ``Mr. X (Country):`` or a label whose colon is on the next line."""
    out = []
    for i, ln in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if LABEL_RE.match(ln) or (":" not in ln and "(" in ln and LABEL_RE.match(ln.rstrip() + " " + nxt)
                                  and ":" in nxt[:40]):
            out.append(i)
    return out


def un_excerpt(text: str, start_pattern: str | None) -> tuple[str, str]:
    """Title block (up to the line "The meeting was called to order") + whole speeches from the
    first line after it (or from the line matching ``start_pattern``) until TARGET_WORDS."""
    lines = text.splitlines(keepends=True)
    labels = label_lines(lines)
    title_end = next((i + 1 for i, ln in enumerate(lines) if "called to order" in ln), labels[0])
    start = title_end
    if start_pattern:
        start = next(i for i, ln in enumerate(lines) if i >= title_end and re.search(start_pattern, ln))
    bounds = [start] + [i for i in labels if i > start] + [len(lines)]
    chunks = ["".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]
    kept, _, b = take_turns(chunks, 0)
    end = bounds[b]
    note = f"title block (lines 1-{title_end}) + lines {start + 1}-{end} ({b} turns, ending at a speaker label)"
    if start > title_end:
        note += f"; lines {title_end + 1}-{start} (earlier agenda items) left out"
    return "".join(lines[:title_end]) + "".join(kept), note


def qmsum_source(mirror: Mirror, stem, kind, lic, folder, name, start_rule, desc) -> dict:
    path = f"data/{folder}/all/{name}.json"
    turns = qmsum_turns(mirror, path)
    start = 1 if start_rule == "after_opening" else len(turns) // 3
    kept, a, b = take_turns(turns, start)
    return dict(stem=stem, kind=kind, repo=QMSUM, path=path, commit=mirror.last_commit(QMSUM, path),
                licence=LICENCES[lic], text="\n\n".join(kept) + "\n", description=desc,
                excerpt=f"turns {a + 1}-{b} of {len(turns)} (`meeting_transcripts`)", batch=1)


def debate_source(mirror: Mirror, path: str) -> dict:
    turns = said_turns(mirror, path)
    kept, a, b = take_turns(turns, 1)
    return dict(stem=f"debate_us_{Path(path).stem}", kind="debate", repo=DEBATES, path=path,
                commit=mirror.last_commit(DEBATES, path), licence=LICENCES["debate"],
                text="\n\n".join(kept) + "\n", description="US presidential debate",
                excerpt=f"paragraphs {a + 1}-{b} of {len(turns)} (after the moderator's opening)")


QMSUM_KINDS = {  # licence key: (stem prefix, kind, QMSum folder, where the excerpt starts, meeting)
    "welsh": ("welsh", "committee_evidence", "Committee", "after_opening",
              "Senedd Children, Young People and Education Committee"),
    "canada": ("canada", "question_period", "Committee", "after_opening",
               "House of Commons Special Committee on the COVID-19 Pandemic (sitting in place of the House)"),
    "ami": ("ami", "team_meeting", "Product", "third", "AMI remote-control design team meeting"),
    "icsi": ("icsi", "team_meeting", "Academic", "third", "ICSI research group meeting"),
}


def qmsum_sources(mirror: Mirror, lic: str, names: list[str]) -> list[dict]:
    prefix, kind, folder, start_rule, desc = QMSUM_KINDS[lic]
    return [qmsum_source(mirror, f"{prefix}_{n}", kind, lic, folder, n, start_rule, desc) for n in names]


def draw(rng: random.Random, pool: list[str], k: int) -> list[str]:
    return sorted(rng.sample(sorted(pool), k))


def build_sources(mirror: Mirror) -> list[dict]:
    rng = random.Random(SEED)
    out = []
    committee = [n[:-5] for n in mirror.ls(QMSUM, "data/Committee/all")]
    allowed = [n for n in committee if n not in RESERVED_QMSUM | USED_QMSUM]
    welsh = draw(rng, [n for n in allowed if n.startswith("education_")], 6)
    canada = draw(rng, [n for n in allowed if n.startswith("covid_")], 5)
    ami = draw(rng, [n[:-5] for n in mirror.ls(QMSUM, "data/Product/all") if n[-6] in "cd"], 3)
    icsi = draw(rng, [n[:-5] for n in mirror.ls(QMSUM, "data/Academic/all")], 3)
    years = mirror.ls(DEBATES, "ingredients")
    saids = [f"ingredients/{y}/{f}" for y in years if y.isdigit()
             for f in mirror.ls(DEBATES, f"ingredients/{y}") if f.endswith(".said")]
    saids = [p for p in saids if Path(p).stem not in USED_DEBATES]
    debates = draw(rng, saids, 4)

    for lic, names in (("welsh", welsh), ("canada", canada), ("ami", ami), ("icsi", icsi)):
        out += qmsum_sources(mirror, lic, names)
    for p in debates:
        out.append(debate_source(mirror, p))
    for stem, files, desc in HEARINGS:
        out.append(hearing_source(mirror, stem, files, desc))
    for stem, repo, path, rev, start_pattern in UN_RECORDS:
        rev = rev or "HEAD"
        text, note = un_excerpt(pdf_text(mirror.show(repo, rev, path)), start_pattern)
        commit = mirror.last_commit(repo, path, rev)
        out.append(dict(stem=stem, kind="un_ga", repo=repo, path=path, commit=commit, licence=LICENCES["un"],
                        text=text, description="UN General Assembly plenary verbatim record (pypdf text)",
                        excerpt=note))
    return out


def build_batch2(mirror: Mirror, first: list[dict]) -> list[dict]:
    """The second batch (2026-12-02): more committee, question-period and team meetings, drawn from
    what the first batch, the reserved and the used sources leave (seed ``SEED + 2``), cut and
    rendered exactly as the first batch. UN records and hearings are exhausted in these sources."""
    rng = random.Random(SEED + 2)
    taken = {Path(s["path"]).stem for s in first if s["repo"] == QMSUM}
    committee = [n[:-5] for n in mirror.ls(QMSUM, "data/Committee/all")]
    allowed = [n for n in committee if n not in RESERVED_QMSUM | USED_QMSUM | taken]
    welsh = draw(rng, [n for n in allowed if n.startswith("education_")], 6)
    canada = draw(rng, [n for n in allowed if n.startswith("covid_")], 2)
    ami = draw(rng, [n[:-5] for n in mirror.ls(QMSUM, "data/Product/all") if n[-6] in "cd" and n[:-5] not in taken], 2)
    icsi = draw(rng, [n[:-5] for n in mirror.ls(QMSUM, "data/Academic/all") if n[:-5] not in taken], 1)
    out = [s for lic, names in (("welsh", welsh), ("canada", canada), ("ami", ami), ("icsi", icsi))
           for s in qmsum_sources(mirror, lic, names)]
    for s in out:
        s["batch"] = 2
    return out


def build_batch3(mirror: Mirror, earlier: list[dict]) -> list[dict]:
    """The third batch (2026-12-02): 6 more Senedd committee meetings (the kind with the lowest
    precision), drawn from what the earlier batches, the reserved and the used sources leave (seed
    ``SEED + 4``)."""
    rng = random.Random(SEED + 4)
    taken = {Path(s["path"]).stem for s in earlier if s["repo"] == QMSUM}
    committee = [n[:-5] for n in mirror.ls(QMSUM, "data/Committee/all")]
    allowed = [n for n in committee if n not in RESERVED_QMSUM | USED_QMSUM | taken]
    out = qmsum_sources(mirror, "welsh", draw(rng, [n for n in allowed if n.startswith("education_")], 6))
    for s in out:
        s["batch"] = 3
    return out


def hearing_source(mirror: Mirror, stem: str, files: list[str], desc: str, budget: bool = False) -> dict:
    """Iran-Contra clips ``files`` (``transcripts/<f>.php``), each kept whole, joined in order; with
    ``budget`` only as many as the word budget takes (as ``take_turns`` takes turns)."""
    paths = [f"transcripts/{f}.php" for f in files]
    clips = [html_to_text(mirror.show(IRANCONTRA, "HEAD", p).decode("utf-8")) for p in paths]
    excerpt = "whole clips, in order, HTML turned into text (blank line per paragraph)"
    if budget:
        n = len(clips)
        clips, _, b = take_turns(clips, 0)
        paths = paths[:b]
        excerpt = (f"clips 1-{b} of the witness's {n}, each whole, in order, HTML turned into text "
                   "(blank line per paragraph)")
    return dict(stem=stem, kind="hearing", repo=IRANCONTRA, path=", ".join(paths),
                commit=mirror.last_commit(IRANCONTRA, paths), licence=LICENCES["hearing"],
                text="\n".join(clips), description=desc, excerpt=excerpt)


def build_batch4(mirror: Mirror, earlier: list[dict]) -> list[dict]:
    """The fourth batch (2026-12-02): the 2 remaining Senedd committee meetings, 3 AMI ``c``/``d`` and
    2 ICSI meetings, 3 debates and 2 other witnesses of the Iran-Contra hearings, drawn in that order
    from what the earlier batches, the reserved and the used sources leave (seed ``SEED + 6``), cut and
    rendered as the first batch. A witness's clips are taken in order, whole, until the word budget
    (as the closing statements were); witnesses whose clips together fall short of MIN_WORDS are
    left out of the draw."""
    rng = random.Random(SEED + 6)
    taken = {Path(s["path"]).stem for s in earlier if s["repo"] in (QMSUM, DEBATES)}
    committee = [n[:-5] for n in mirror.ls(QMSUM, "data/Committee/all")]
    allowed = [n for n in committee if n not in RESERVED_QMSUM | USED_QMSUM | taken]
    welsh = draw(rng, [n for n in allowed if n.startswith("education_")], 2)
    ami = draw(rng, [n[:-5] for n in mirror.ls(QMSUM, "data/Product/all") if n[-6] in "cd" and n[:-5] not in taken], 3)
    icsi = draw(rng, [n[:-5] for n in mirror.ls(QMSUM, "data/Academic/all") if n[:-5] not in taken], 2)
    years = mirror.ls(DEBATES, "ingredients")
    saids = [f"ingredients/{y}/{f}" for y in years if y.isdigit()
             for f in mirror.ls(DEBATES, f"ingredients/{y}") if f.endswith(".said")]
    debates = draw(rng, [p for p in saids if Path(p).stem not in USED_DEBATES | taken], 3)
    clips: dict[str, list[str]] = {}
    for name in mirror.ls(IRANCONTRA, "transcripts"):
        if name.endswith(".php") and name.split("-")[0] not in NOT_WITNESSES:
            clips.setdefault(name.split("-")[0], []).append(name[:-4])
    clips = {w: sorted(fs, key=lambda f: int(f.split("-")[1])) for w, fs in clips.items()}
    long_enough = [w for w, fs in clips.items() if sum(
        words(html_to_text(mirror.show(IRANCONTRA, "HEAD", f"transcripts/{f}.php").decode("utf-8"))) for f in fs)
        >= MIN_WORDS]
    witnesses = draw(rng, long_enough, 2)

    out = [s for lic, names in (("welsh", welsh), ("ami", ami), ("icsi", icsi))
           for s in qmsum_sources(mirror, lic, names)]
    for p in debates:
        out.append(debate_source(mirror, p))
    for w in witnesses:
        stem, who = WITNESSES[w]
        out.append(hearing_source(mirror, f"hearing_irancontra_{stem}", clips[w],
                                  f"Iran-Contra joint hearings, testimony of {who} (1987)", budget=True))
    for s in out:
        s["batch"] = 4
    return out


def repeats_paragraph(text: str, min_words: int = 20) -> bool:
    """True when a paragraph of at least ``min_words`` words says again, word for word, what an
    earlier one said (its speaker label aside): a source that repeats passages. A gold quote there
    cannot be located uniquely, so such a transcript is left out of the corpus (found after the
    fourth batch was annotated: ``debate_us_1988-09-25`` repeats two whole turns)."""
    seen = set()
    for para in re.split(r"\n\s*\n", text):
        if len(para.split()) < min_words:
            continue
        body = para.split(":", 1)[-1].strip()
        if body in seen:
            return True
        seen.add(body)
    return False


def groups(sources: list[dict]) -> None:
    """Two groups of about equal words for two pairs of annotators (``group`` 1 or 2): each kind and
    each split shared as evenly as the counts allow, then the least difference in words; ties go to
    the first such choice in stem order."""
    from itertools import combinations

    rows = sorted(sources, key=lambda s: s["stem"])
    half = len(rows) // 2

    def even(chosen, key):
        return all(abs(2 * sum(s[key] == v for s in chosen) - sum(s[key] == v for s in rows)) <= 1
                   for v in {s[key] for s in rows})

    total = sum(words(s["text"]) for s in rows)
    best = min((c for c in combinations(range(len(rows)), half) if 0 in c
                and even([rows[i] for i in c], "kind") and even([rows[i] for i in c], "split")),
               key=lambda c: abs(total - 2 * sum(words(rows[i]["text"]) for i in c)))
    for i, s in enumerate(rows):
        s["group"] = 1 if i in best else 2


def split(sources: list[dict], seed: int = SEED + 1) -> None:
    """One seeded draw per kind: a third (rounded, at least one) of each kind goes to test."""
    rng = random.Random(seed)
    for kind in sorted({s["kind"] for s in sources}):
        stems = sorted(s["stem"] for s in sources if s["kind"] == kind)
        rng.shuffle(stems)
        test = set(stems[:max(1, round(len(stems) / 3))])
        for s in sources:
            if s["kind"] == kind:
                s["split"] = "test" if s["stem"] in test else "dev"


def write(sources: list[dict]) -> None:
    for part in ("dev", "test"):
        (CORPUS / part).mkdir(parents=True, exist_ok=True)
    for s in sources:
        (CORPUS / s["split"] / f"{s['stem']}.txt").write_text(s["text"], encoding="utf-8")
        s["words"] = words(s["text"])
    meta = [{k: v for k, v in s.items() if k != "text"} for s in sources]
    (CORPUS / "sources.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    args = ap.parse_args(argv)
    mirror = Mirror(args.mirror_root)
    sources = build_sources(mirror)
    split(sources)
    for s in sources:
        s.setdefault("batch", 1)
    second = build_batch2(mirror, sources)
    split(second, SEED + 3)
    sources += second
    third = build_batch3(mirror, sources)
    split(third, SEED + 5)
    sources += third
    fourth = build_batch4(mirror, sources)
    split(fourth, SEED + 7)
    groups(fourth)
    # Left out after the draw, split and grouping (so the other files stay as annotated).
    for s in fourth:
        if repeats_paragraph(s["text"]):
            print(f"left out: {s['stem']} (its source repeats a paragraph)", file=sys.stderr)
    sources += [s for s in fourth if not repeats_paragraph(s["text"])]
    write(sources)
    for s in sources:
        print(f"{s['batch']} {s['split']:4} {s['kind']:18} {s['stem']:34} {s['words']:>5} {s.get('group', '')!s:1} "
              f"{s['excerpt']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
