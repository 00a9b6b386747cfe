"""The meeting's context (loader/context.py): forum and addressee from the transcript's
conventions or the user's word, and the extractor giving agentless recommendations to the addressee."""
import json

import pytest

from loader.context import apply_context, read_sidecar
from loader.errors import LexiconError, ReadError
from loader.lexicon import load_lexicon
from loader.pipeline import process_source
from loader.read import read_source

GA = """United Nations A/99/PV.1

General Assembly
Ninety-ninth session
1st plenary meeting

Mr. Alvarez (Ruritania): The rules of procedure must be revised before the next session.
"""

SENEDD = """Jane Roe AM: Good morning. Thank you for coming.

John Doe AM: Better training for supply teachers needs to be put in place across Wales.

Mary Major: Thank you. There needs to be a clear timetable for the new curriculum.
"""

TEAM = """Project Manager: Okay, let's start.

Industrial Designer: I think we should use a rubber case for the remote.

User Interface: The buttons have to be bigger.
"""

PANEL = """Alice Smith: Welcome to the panel.

Bob Jones: Adequate funding for the new office must be ensured before the end of the year.
"""


def run(tmp_path, text, name="meeting.txt", context=None, lexicon=None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return process_source(read_source(path), lexicon, context)


def test_forum_from_the_title_block_and_its_addressee(tmp_path):
    doc, recs, _ = run(tmp_path, GA)
    assert (doc.forum, doc.addressee, doc.context_from) == ("General Assembly", "Member States", "title")
    [rec] = recs
    assert rec.actor == "Member States" and rec.cue.endswith("+addressee")


def test_forum_from_the_labels(tmp_path):
    doc, recs, _ = run(tmp_path, SENEDD)
    assert (doc.forum, doc.addressee, doc.context_from) == ("Senedd committee", "Welsh Government", "labels")
    # a member's and a witness's agentless prescriptions both go to the government under scrutiny
    assert [(r.actor, r.actor_group) for r in recs] == [("Welsh Government", "Government")] * 2


def test_one_labelled_speaker_is_not_a_convention(tmp_path):
    doc, _, _ = run(tmp_path, "John Doe AM: Hello.\n\nMary Major: Hello to you.\n")
    assert doc.forum is None and doc.addressee is None and doc.context_from is None


def test_a_team_meeting_we_is_the_team(tmp_path):
    doc, recs, _ = run(tmp_path, TEAM)
    assert doc.forum == "Team meeting"
    by_text = {r.text: r.actor for r in recs}
    assert by_text["I think we should use a rubber case for the remote."] == "Team"
    assert by_text["The buttons have to be bigger."] == "Team"


def test_no_context_keeps_unspecified(tmp_path):
    doc, recs, _ = run(tmp_path, PANEL)
    assert doc.forum is None
    [rec] = recs
    assert rec.actor == "Unspecified" and "+addressee" not in rec.cue


def test_the_users_word_wins(tmp_path):
    doc, recs, _ = run(tmp_path, PANEL, context={"forum": "Board of Trustees", "addressee": "the Board"})
    assert (doc.forum, doc.addressee, doc.context_from) == ("Board of Trustees", "the Board", "set")
    assert recs[0].actor == "Board"  # as given, without the article
    # a forum that names a known meeting brings its addressee
    doc, recs, _ = run(tmp_path, PANEL, context={"forum": "general assembly"})
    assert (doc.forum, doc.addressee) == ("General Assembly", "Member States")
    assert recs[0].actor == "Member States"


def test_an_actor_named_in_the_sentence_is_kept(tmp_path):
    text = GA.replace("The rules of procedure must be revised", "The Secretariat must revise the rules of procedure")
    _, recs, _ = run(tmp_path, text)
    assert recs[0].actor == "UN Secretariat" and "+addressee" not in recs[0].cue


def test_bad_meetings_entry_is_one_clear_error():
    lexicon = dict(load_lexicon())
    lexicon["meetings"] = [{"forum": "X", "labels": "("}]
    from loader.model import Document
    with pytest.raises(LexiconError, match=r"meetings\[0\]\.labels"):
        apply_context(Document(id="d", text="", source_path="d", sha256=""), lexicon)
    lexicon["meetings"] = [{"addressee": "Y"}]
    with pytest.raises(LexiconError, match=r"meetings\[0\]: needs a 'forum'"):
        apply_context(Document(id="d", text="", source_path="d", sha256=""), lexicon)


def test_sidecar(tmp_path):
    path = tmp_path / "hearing.txt"
    path.write_text(PANEL, encoding="utf-8")
    assert read_sidecar(path) == {}
    side = tmp_path / "hearing.txt.meta.json"
    side.write_text(json.dumps({"forum": "Board", "addressee": "the Board"}), encoding="utf-8")
    assert read_sidecar(path) == {"forum": "Board", "addressee": "the Board"}
    side.write_text("{", encoding="utf-8")
    with pytest.raises(ReadError, match="hearing.txt.meta.json: not valid JSON"):
        read_sidecar(path)
    side.write_text(json.dumps({"forum": 3}), encoding="utf-8")
    with pytest.raises(ReadError, match="forum: expected a string"):
        read_sidecar(path)
    side.write_text(json.dumps({"chair": "x"}), encoding="utf-8")
    with pytest.raises(ReadError, match="chair: unknown field"):
        read_sidecar(path)


def test_load_forum_and_addressee_options_and_sidecar(tmp_path):
    """The CLI's --forum/--addressee and a sidecar reach the extractor; a change of them redoes the file."""
    import sqlite3

    from click.testing import CliRunner

    from loader.cli import cli

    path = tmp_path / "panel.txt"
    path.write_text(PANEL, encoding="utf-8")
    db = tmp_path / "r.db"

    def actors():
        conn = sqlite3.connect(db)
        try:
            return [r[0] for r in conn.execute("SELECT a.name FROM recommendations r JOIN actors a ON a.id = r.actor_id")]
        finally:
            conn.close()

    runner = CliRunner()
    result = runner.invoke(cli, ["load", str(path), "--db", str(db), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert actors() == ["Unspecified"]
    result = runner.invoke(cli, ["load", str(path), "--db", str(db), "--workers", "1", "--addressee", "the Board"])
    assert result.exit_code == 0 and "1 loaded, 0 unchanged" in result.output, result.output
    assert actors() == ["Board"]
    (tmp_path / "panel.txt.meta.json").write_text(json.dumps({"forum": "General Assembly"}), encoding="utf-8")
    result = runner.invoke(cli, ["load", str(path), "--db", str(db), "--workers", "1"])
    assert result.exit_code == 0 and "1 loaded, 0 unchanged" in result.output, result.output
    assert actors() == ["Member States"]
    result = runner.invoke(cli, ["load", str(path), "--db", str(db), "--workers", "1"])
    assert "0 loaded, 1 unchanged" in result.output, result.output
    (tmp_path / "panel.txt.meta.json").write_text("{", encoding="utf-8")
    result = runner.invoke(cli, ["load", str(path), "--db", str(db), "--workers", "1"])
    assert result.exit_code == 1 and "panel.txt.meta.json: not valid JSON" in result.output
    assert actors() == ["Member States"]  # the failed file left what was stored


@pytest.mark.asyncio
async def test_document_page_shows_the_meeting_context(tmp_path):
    from loader.cli import load_paths
    from loader.web import make_datasette

    path = tmp_path / "ga.txt"
    path.write_text(GA, encoding="utf-8")
    db = tmp_path / "r.db"
    _totals, errors = load_paths(db, [path], progress=False, workers=1)
    assert errors == []
    html = (await make_datasette(db).client.get("/-/rectrack/documents/ga")).text
    assert "Meeting of: <strong>General Assembly</strong>" in html
    assert "name no actor go to <strong>Member States</strong>" in html


DEBATE = """Moderator Jones: Senator Smith, the first question goes to you. What would you do about jobs in America?

Sam Smith: Thank you. Let's cut taxes for the families of America. We need to rebuild the roads.

Moderator Jones: Governor Brown, your answer.

Pat Brown: Senator Smith is wrong about America. The deficit has to come down.

Moderator Jones: Senator Smith, a rebuttal. And then Governor Brown. Americans are listening.
"""


def test_a_presidential_debate_from_its_words_we_is_the_country(tmp_path):
    doc, recs, _ = run(tmp_path, DEBATE)
    assert (doc.forum, doc.addressee, doc.context_from) == ("US presidential debate", "United States", "words")
    # "let's ..." and "we need to ..." (one item: the same speaker's run) and an agentless demand
    assert [(r.text, r.actor) for r in recs] == [
        ("Let's cut taxes for the families of America. We need to rebuild the roads.", "United States"),
        ("The deficit has to come down.", "United States")]


def test_a_chaired_hearing_with_the_same_words_is_no_debate(tmp_path):
    doc, _, _ = run(tmp_path, DEBATE.replace("Moderator Jones: Senator Smith, a rebuttal.",
                                             "Moderator Jones: Mr. Chairman, Senator Smith, a rebuttal."))
    assert doc.forum is None


def test_a_bad_words_pattern_names_the_entry():
    from loader.context import compile_meetings

    with pytest.raises(LexiconError, match=r"meetings\[0\]\.words"):
        compile_meetings({"meetings": [{"forum": "X", "words": ["("]}]})


SENEDD_WE = """Jane Roe AM: Good morning. What should happen next with the funding formula?

Mary Major: I think we need to review the funding formula for rural schools.

Mary Major: And it's important that we keep small schools open in rural areas.

John Doe AM: I think we need to look again at the evidence on class sizes.
"""


def test_a_speakers_we_at_a_senedd_committee_is_the_system_under_scrutiny(tmp_path):
    doc, recs, _ = run(tmp_path, SENEDD_WE)
    assert doc.system_we
    by_speaker = [(r.speaker_key, r.actor, r.cue.endswith("+addressee")) for r in recs]
    # a witness's "we need to" and "it's important that we" (not "schools"), and a member's "we need to":
    # the Welsh Government
    assert by_speaker == [("mary-major", "Welsh Government", True)] * 2 + [("john-doe", "Welsh Government", True)]


def test_a_we_elsewhere_stays_unspecified(tmp_path):
    doc, recs, _ = run(tmp_path, PANEL.replace("Adequate funding for the new office must be ensured before the end of the year.",
                                               "I think we need to review the funding formula for rural schools."))
    assert not doc.system_we
    assert [r.actor for r in recs] == ["Unspecified"]


def test_an_infinitive_task_at_a_team_meeting_is_the_teams(tmp_path):
    text = TEAM.replace("The buttons have to be bigger.", "So I guess the main thing would be to pick one .")
    _, recs, _ = run(tmp_path, text)
    assert [r.actor for r in recs if "pick one" in r.text] == ["Team"]


def test_members_asked_are_the_meetings_members(tmp_path):
    senedd = SENEDD.replace("Better training for supply teachers needs to be put in place across Wales.",
                            "I ask Members to reject amendment 3 and to support amendment 4.")
    _, recs, _ = run(tmp_path, senedd)
    asked = [r for r in recs if "amendment 3" in r.text]
    assert [(r.actor, r.actor_group) for r in asked] == [("Senedd committee", "Committee")]
    assert asked[0].cue.endswith("+members")
    ga = GA.replace("The rules of procedure must be revised before the next session.",
                    "I urge all Members to ratify the convention without delay.")
    _, recs, _ = run(tmp_path, ga, name="ga.txt")
    assert [r.actor_group for r in recs] == ["Member States"]
    # "members of the public" are not the meeting's members
    public = SENEDD.replace("Better training for supply teachers needs to be put in place across Wales.",
                            "I would encourage members of the public to respond to the consultation.")
    _, recs, _ = run(tmp_path, public, name="public.txt")
    assert all(not r.cue.endswith("+members") for r in recs)


# a committee hearing evidence: a member who mostly answers the others' questions (a Minister before
# the committee) speaks for their government; a speaker without the members' mark is a witness
HEARING = """Jane Roe AM: Good morning. What are your plans for the new inspections?

Ann Minister AM: We have to look again at the transport budget first.

John Doe AM: Is the timetable realistic?

Ann Minister AM: Yes. We must publish the guidance by June.

Jane Roe AM: Will the guidance cover special schools?

Ann Minister AM: It will. We need to consult the partners on it.

John Doe AM: Thank you. We need to see the Welsh Government publish its timetable.

Mary Major: Thank you, Chair. We need to look again at the funding of rural schools.
"""


def test_ministers_mostly_answer_and_witnesses_carry_no_members_mark(tmp_path):
    doc, _, _ = run(tmp_path, HEARING)
    names = {s.key: s.name for s in doc.speakers}
    assert [names[k] for k in doc.ministers] == ["Ann Minister"]
    assert [names[k] for k in doc.witnesses] == ["Mary Major"]


def test_a_ministers_we_need_to_is_their_own_course_a_witnesss_asks_the_addressee(tmp_path):
    _, recs, _ = run(tmp_path, HEARING)
    # the Minister's "we need to / we have to / we must" is their own government's course (borderline at
    # most by the guidelines); the witness's "we need to" asks the government under scrutiny
    assert [r.text for r in recs] == ["We need to see the Welsh Government publish its timetable.",
                                      "We need to look again at the funding of rural schools."]
    assert recs[1].actor == "Welsh Government" and recs[1].cue.endswith("+addressee")
