import json
import re

import pytest
from conftest import FIXTURES, GOLD, SEED_FILE

from loader.evaluate import load_gold, score_commitments, score_recommendations
from loader.extract import canonical_actor, compile_rules, extract
from loader.lexicon import load_lexicon
from loader.model import Document, Speaker, Turn
from loader.pipeline import process_source
from loader.read import read_source


def make_doc(*speeches, role=None, label="Speaker", addressee=None):
    """A one-document fixture: each speech is one turn by the same speaker (pure, no parser)."""
    text, turns = "", []
    for i, speech in enumerate(speeches, 1):
        start = len(text)
        text += f"{label}: "
        speech_start = len(text)
        text += speech
        turns.append(Turn(seq=i, label=label, speaker_key="sp", text=speech, char_start=start,
                          char_end=len(text), speech_start=speech_start))
        text += "\n\n"
    return Document(id="t", text=text, source_path="t.txt", sha256="0", turns=turns,
                    speakers=[Speaker(key="sp", name=label, role=role)], addressee=addressee)


def recs_of(*speeches, **kw):
    recs, _ = extract(make_doc(*speeches, **kw))
    return recs


# ---------------------------------------------------------------- each cue fires, with its actor


@pytest.mark.parametrize(
    "sentence,cue,actor",
    [
        ("The Security Council should give missions clear mandates.", "modal", "Security Council"),
        ("Troop-contributing countries must train their contingents before deployment.", "modal",
         "Troop and Police Contributors"),
        ("The Secretariat needs to draw up an operational concept.", "modal", "UN Secretariat"),
        ("Member States have to provide the helicopters.", "modal", "Member States"),
        ("The Government ought to publish the data every week.", "modal", "Government"),
        ("The Council cannot afford to ignore these warnings.", "modal", "Security Council"),
        ("It is essential that the General Assembly act on this report.", "impersonal", "General Assembly"),
        ("It is important for local authorities to keep schools open.", "impersonal", "Local Authorities"),
        ("Clear guidance from headquarters is vital.", "predicate", "DPKO/DFS"),
        ("We urge all States to cooperate with the Court.", "urge", "Member States"),
        ("We call on the Security Council to renew the mandate.", "urge", "Security Council"),
        ("My delegation encourages the Secretariat to share its experience.", "urge", "UN Secretariat"),
        ("We request the Court to expand its outreach.", "request", "International Criminal Court"),
        ("I would like to see the committee publish its findings.", "would_like_to_see", "Committee"),
        ("It would be worthwhile for researchers to compare doctrine.", "worthwhile", "Researchers"),
        ("There is a need for the Council to hear from the field.", "need_noun", "Security Council"),
        ("Let us work together on this.", "let_us", "Unspecified"),
        ("The recommendations should be examined by the Security Council.", "modal", "Security Council"),
        ("Perhaps what we need to think about is whether the Council could meet in two chambers.", "perhaps_need",
         "Security Council"),
        ("Member States are requested to submit their views to the Secretariat.", "passive_request", "Member States"),
        ("We reiterate our call for support from the international community for the Trust Fund.", "urge",
         "Member States"),
        ("More support is required from all States Parties to protect the work of the Court.", "predicate",
         "States Parties"),
        ("I wish once again to invite those States that have not yet joined the Statute of the Court to do so.",
         "request", "Member States"),
        ("Local authorities are asked by us to report any incidents on the ground.", "passive_request",
         "Local Authorities"),
    ],
)
def test_recommendation_cue(sentence, cue, actor):
    recs = recs_of(sentence)
    assert len(recs) == 1, [r.text for r in recs]
    r = recs[0]
    assert (r.cue, r.actor) == (cue, actor)
    assert r.text == sentence and 0 < r.confidence <= 1 and r.strength in ("must", "should", "could")


@pytest.mark.parametrize(
    "sentence,actor",
    [
        # pronouns: nearest actor named before (not inside a prepositional phrase); "we" stays unspecified
        ("The force commander sets the tone. He should raise the alarm at once.", "Mission Leadership"),
        ("Member States pay for missions. They must also provide the troops.", "Member States"),
        ("As for the Security Council and the General Assembly, they need to act.", "Security Council"),
        ("We must all strengthen the rule of law.", "Unspecified"),
        # a definite description means the body of that kind last named in full
        ("The International Court of Justice gave its opinion. The Court must publish it widely.",
         "International Court of Justice"),
        # a proper name heading the subject is kept as written when the lexicon does not know it
        ("Israel must comply with the provisional measures.", "Israel"),
        # an infinitive with no subject of its own: what follows it is its object, not who acts
        ("It is time to put more pressure on the banks over their fees.", "Unspecified"),
        ("It is important to build new bridges with neighbouring nations.", "Unspecified"),
        ("The key thing will be to persuade the provinces of the plan.", "Unspecified"),
        # ... unless a that-clause or a perception verb names its own subject
        ("It is important to ensure that the provinces publish their figures.",
         "Provincial and Territorial Governments"),
        ("We would like to see schools publishing their results every term.", "Schools and Educators"),
        # students are asked as a group of their own, not the government
        ("I encourage all pupils in rural areas to apply for the new bursaries.", "Students"),
        ("I'd like to see former students of the course mentoring new ones.", "Students"),
        # an example named in the one asked: "other bodies, such as X"
        ("We urge other regional bodies, such as the Northern Forum, to join the talks.", "Northern Forum"),
        # an imperative put to an office holder by title: that office holder
        ("Stop blocking the inquiry, Madam Speaker.", "Speaker"),
        ("Release the full report today, Mr. President.", "President"),
        # a subject brought on board is not who brings it
        ("Businesses must now be brought on board as partners.", "Unspecified"),
    ],
)
def test_actor_resolution(sentence, actor):
    recs = recs_of(sentence)
    assert recs and recs[-1].actor == actor, [(r.text, r.actor) for r in recs]


def test_we_in_an_organisation_is_the_speakers_side():
    _, coms = extract(make_doc("We in DPKO are committed to working closely with OCHA."))
    assert [c.actor for c in coms] == ["DPKO/DFS"]


# ---------------------------------------------------------------- what is not a recommendation


@pytest.mark.parametrize(
    "sentence",
    [
        "Should the Council renew the mandate?",  # question
        "Why must the mission always wait for the Council?",  # question
        "The Council should have acted much earlier.",  # retrospective
        "We should have been told about the threat.",  # retrospective
        "Thank you very much, Chair, for inviting me to speak.",  # courtesy
        "I must say that I am grateful to the organisers.",  # speech act
        "I would like to thank the Secretary-General for his report.",  # courtesy
        "Please identify yourselves before you speak.",  # chair procedure
        "I now give the floor to the representative of Ghana.",  # chair procedure
        "If you want to speak French, you should be on the French channel.",  # chair procedure
        "The Security Council took up the report last week.",  # description
        "It has to do with the way mandates are written.",  # not a modal
        "Members don't have to attend every meeting.",  # negated need
        "Let us recall that the Statute was adopted in 1998.",  # rhetorical
        "Our students and seniors are very important to the regions.",  # "important to" + a noun phrase: a finding
        "I was asked to speak about the report.",  # a past request
    ],
)
def test_not_a_recommendation(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize(
    "sentence,signal",
    [
        ("We will share our first draft with member states soon.", "committed"),
        ("We are committed to taking the recommendations forward.", "committed"),
        ("We are drafting an operational concept for the missions.", "in progress"),
        ("We have already begun to draft the guidance.", "in progress"),
        ("We have established joint protection teams in the field.", "done"),
        ("We intend to report to the committee by the end of the year.", "committed"),
        ("We as DPKO must improve our planning.", "committed"),
    ],
)
def test_own_organisation_promise_is_a_commitment(sentence, signal):
    recs, coms = extract(make_doc(sentence, role="Head of DPKO"))
    assert recs == []
    assert [(c.text, c.signal) for c in coms] == [(sentence, signal)]
    assert coms[0].actor == "DPKO/DFS"


def test_country_delegation_commitment_uses_the_label():
    _, coms = extract(make_doc("Kenya will continue to support the Court.", label="Mr. Kiboino (Kenya)"))
    assert [(c.actor, c.signal) for c in coms] == [("Kenya", "committed")]


def test_urge_beats_own_promise_and_merges_restatement():
    recs, coms = extract(make_doc(
        "We will continue to support the Court and we urge all States to cooperate with it.",
        "The Council must give missions the means to act. In other words, the Council has to pay for it."))
    assert [r.actor for r in recs] == ["Member States", "Security Council"]
    assert coms == []
    assert recs[1].text.endswith("pay for it.") and "In other words" in recs[1].text


def test_commitment_links_to_the_recommendation_it_answers():
    recs, coms = extract(make_doc(
        "The Secretariat needs to draw up an operational concept for protection.",
        "Missions should report on threats every month.",
        "We are drafting the operational concept with our partners.",
        "We are committed to most of the recommendations.", role="Head of DPKO"))
    assert [r.actor for r in recs] == ["UN Secretariat", "Peacekeeping Missions"]
    assert [c.recommendation_index for c in coms] == [0, None]


def test_theme_and_strength():
    r1, r2, r3 = recs_of("Troop contributors must train their contingents before deployment.",
                         "The Council should give missions clear and achievable mandates.",
                         "Perhaps it would be worthwhile to visit the field missions.")
    assert (r1.theme, r1.strength) == ("training and preparedness", "must")
    assert (r2.theme, r2.strength) == ("mandates", "should")
    assert r3.strength == "could"


def test_user_lexicon_extends_actors_and_cues():
    base = load_lexicon()
    extra = dict(base)
    extra["actors"] = {**base["actors"], "Steering Group": {"kind": "board", "aliases": ["the steering group"]}}
    doc = make_doc("In my view the steering group should meet monthly.")
    assert extract(doc, base)[0][0].actor == "Unspecified"
    assert extract(doc, extra)[0][0].actor == "Steering Group"


def test_user_lexicon_alias_wins_over_the_default(tmp_path):
    """A user's actor may claim an alias the default lexicon gives to another actor."""
    user = tmp_path / "my.yml"
    user.write_text("actors:\n  Ministry of Health:\n    kind: government\n"
                    "    aliases: [the Ministry, MoH]\n", encoding="utf-8")
    doc = make_doc("The Ministry must fund every rural clinic by next year.")
    assert extract(doc, load_lexicon())[0][0].actor != "Ministry of Health"
    assert extract(doc, load_lexicon([user]))[0][0].actor == "Ministry of Health"


# ---------------------------------------------------------------- the real pipeline on the seed


@pytest.fixture(scope="module")
def seed():
    doc, recs, coms = process_source(read_source(SEED_FILE))
    return doc, recs, coms


def test_rows_are_exact_spans_with_cue_and_confidence(seed):
    doc, recs, coms = seed
    assert recs and coms
    for row in [*recs, *coms]:
        assert doc.text[row.char_start:row.char_end] == row.text
        assert row.cue and 0 < row.confidence <= 1
    for c in coms:
        assert not any(r.char_start < c.char_end and c.char_start < r.char_end for r in recs)
        assert c.recommendation_index is None or 0 <= c.recommendation_index < len(recs)


@pytest.fixture(scope="module")
def seed_scores(seed):
    doc, recs, coms = seed
    gold = load_gold(GOLD)
    return (score_recommendations(doc, recs, gold["recommendations"]),
            score_commitments(doc, coms, gold["commitments"]))


def test_seed_recommendation_f1(seed_scores):
    r, _ = seed_scores
    assert r["f1"] >= 0.85, f"P {r['precision']:.2f} R {r['recall']:.2f} F1 {r['f1']:.2f}"


def test_seed_actor_accuracy(seed_scores):
    r, _ = seed_scores
    assert r["actor_accuracy"] >= 0.80, f"actor accuracy {r['actor_accuracy']:.2f} on {r['tp']} matched"


def test_seed_commitment_f1(seed_scores):
    _, c = seed_scores
    assert c["f1"] >= 0.70, f"P {c['precision']:.2f} R {c['recall']:.2f} F1 {c['f1']:.2f}"


def test_gold_actor_names_normalise_through_the_lexicon():
    assert canonical_actor("the Council") == "Security Council"
    assert canonical_actor("troop-contributing countries") == "Troop and Police Contributors"
    assert canonical_actor("DPKO") == canonical_actor("DPKO/DFS")
    # an alias written with "the", named without it: not the group of a word inside it ("nations")
    assert canonical_actor("United Nations") == canonical_actor("the United Nations") == "UN Secretariat"
    assert canonical_actor("Committee") == canonical_actor("the committee")
    # a name outside the lexicon, with or without its article
    assert canonical_actor("the President") == canonical_actor("President") == "President"
    for g in json.loads((GOLD / "seed_recommendations.json").read_text(encoding="utf-8")):
        assert canonical_actor(g["actor"]) in compile_rules(load_lexicon()).kinds or g["actor"] == "Unspecified"


# ---------------------------------------------------------------- hand labels on other kinds of transcript

LABELS = json.loads((FIXTURES / "dev_labels.json").read_text(encoding="utf-8"))
_DEV: dict = {}


def dev_rows(name):
    if name not in _DEV:
        doc, recs, _ = process_source(read_source(FIXTURES / name))
        _DEV[name] = (doc, recs)
    return _DEV[name]


@pytest.mark.parametrize("label", LABELS, ids=[f"{x['file'][:12]}:{x['text'][:40]}" for x in LABELS])
def test_dev_label(label):
    doc, recs = dev_rows(label["file"])
    flat = " ".join(doc.text.split())
    assert label["text"] in flat, "the label quotes the transcript"
    hits = [r for r in recs if label["text"] in " ".join(r.text.split()) or " ".join(r.text.split()) in label["text"]]
    if not label["is_recommendation"]:
        assert hits == []
        return
    assert len(hits) == 1, "found as one recommendation"
    assert canonical_actor(hits[0].actor) == canonical_actor(label["actor"])


# ---------------------------------------------------------------- implied agents (general conventions)


@pytest.mark.parametrize(
    "sentence,actor",
    [
        # a body that is only to be informed is not who acts; by convention its informer is
        ("The Security Council needs to be kept fully and candidly informed of the situation on the ground.",
         "UN Secretariat"),
        ("The General Assembly must be briefed regularly on the liquidity crisis.", "UN Secretariat"),
        ("The committee should be kept informed of progress on the strategy.", "Government"),
        ("Parliament must be consulted before the regulations are changed.", "Government"),
        ("The Council should be briefed by the African Union before the mandate is renewed.", "African Union"),
        ("Timely reporting to the Security Council is essential.", "UN Secretariat"),
        # ... but an active informer, or a subject that is to be aware (not made aware), acts itself
        ("The Security Council must consult troop-contributing countries before renewing mandates.", "Security Council"),
        ("Troop and police contributors need to be aware of the dangerous environment.",
         "Troop and Police Contributors"),
        # "to X" / "for X" after a noun of giving: X receives
        ("Clear guidance to peacekeeping missions on the use of force is vital.", "DPKO/DFS"),
        ("There is a need to provide more support to the missions.", "Unspecified"),
        ("Adequate funding for the Court is essential.", "Unspecified"),
        # a task that by convention falls to one body
        ("Much more pre-deployment training of troops is needed.", "Troop and Police Contributors"),
        ("Training for formed police units needs to be strengthened before deployment.",
         "Troop and Police Contributors"),
        ("As a former commander, I believe we need to be meticulous when it comes to the training of contingents.",
         "Troop and Police Contributors"),
        ("The centrepiece of any peace agreement should be the protection of civilians.", "Parties to Conflict"),
        ("The petitioners want to see the bill passed before the summer recess.", "Parliament"),
        # the forum in which something is to happen
        ("It is important that this discussion take place not in the Security Council but in the Peacebuilding "
         "Commission.", "Peacebuilding Commission"),
        ("These proposals should be examined in the General Assembly.", "General Assembly"),
        # the parties of an existential "there must be X between A and B"
        ("There must be cooperation between the International Criminal Court and the United Nations.",
         "International Criminal Court"),
        # "the Office" after the Office was named in full
        ("We thank the Office of Legal Affairs for its support, and we encourage the Office to strengthen its staffing.",
         "UN Secretariat"),
        # generic subjects are nobody in particular
        ("It is important that all stakeholders understand the mandate.", "Unspecified"),
        ("Everyone must respect the ceasefire.", "Unspecified"),
        ("No one should be afraid of walking in their own neighbourhood.", "Unspecified"),
    ],
)
def test_implied_actor(sentence, actor):
    recs = recs_of(sentence)
    assert recs and recs[-1].actor == actor, [(r.text, r.actor, r.actor_text) for r in recs]


@pytest.mark.parametrize(
    "sentence,role,label,actor",
    [
        # a delegate's audience is the other delegations
        ("I invite all of you to read the report of the Secretary-General.",
         "Permanent Representative of Ghana", "Mr. Korbieh", "Member States"),
        ("Kenya encourages others to consider what more they can do.", None, "Mr. Kiboino (Kenya)", "Member States"),
        ("I urge my colleagues to read the report carefully.", None, "Ms. Flores Soto (El Salvador)", "Member States"),
        ("We encourage others to consider what more they can do.", None, "Mr. Wood (United States of America)",
         "Member States"),
        ("We encourage others to consider what more they can do.", None, "Mr. Skoog (European Union)", "Unspecified"),
        ("I urge all of you to read the report carefully.", "Minister for Health", "Ms. Jones", "Unspecified"),
        # resources and political will asked for by a delegate are the Member States' to give
        ("To support the Court, we call for international cooperation and the necessary resources.", None,
         "Mr. Babo Soares (Timor-Leste)", "Member States"),
        ("To support the schools, we call for the necessary resources.", "Sherwood Park, CPC", "Mr. Genuis",
         "Unspecified"),
        ("Kenya encourages others to consider what more they can do.", "Acting President (Ghana)", "The Acting President",
         "Unspecified"),
        # a legislator's demand that names no actor asks the Government ...
        ("Immediate action must be taken on the import quotas.", "Berthier-Maskinonge, BQ", "Mr. Perron", "Government"),
        ("It's urgent that the money be transferred.", "Regina-Wascana, CPC", "Mr. Kram", "Government"),
        # ... not when the speaker is in the government or chairs, and not "we" / "let us"
        ("Immediate action must be taken on the import quotas.", "Chair (Nipissing-Timiskaming, Lib.)", "The Chair",
         "Unspecified"),
        ("Let us take part in the local consumption movement.", "Berthier-Maskinonge, BQ", "Mr. Perron",
         "Unspecified"),
    ],
)
def test_implied_actor_from_the_speaker(sentence, role, label, actor):
    recs = recs_of(sentence, role=role, label=label)
    assert recs and recs[-1].actor == actor, [(r.text, r.actor, r.actor_text) for r in recs]


@pytest.mark.parametrize(
    "sentence,role,actor",
    [
        # "we" must draw up an instrument, said by an official of a body: that body's system ...
        ("We need to draw up an operational concept for the protection of civilians.",
         "Emergency Relief Coordinator and Under-Secretary-General", "UN Secretariat"),
        # ... but any other "we" is generic, and so is "we" with no stated affiliation
        ("We have to guard against exaggerated expectations of protection.",
         "Emergency Relief Coordinator and Under-Secretary-General", "Unspecified"),
        ("We need to draw up an operational concept for the protection of civilians.", None, "Unspecified"),
        ("We need to draw up an operational concept for the protection of civilians.",
         "Permanent Representative of Ghana", "Unspecified"),
    ],
)
def test_institutional_we(sentence, role, actor):
    recs = recs_of(sentence, role=role)
    assert recs and recs[-1].actor == actor, [(r.text, r.actor, r.actor_text) for r in recs]


@pytest.mark.parametrize(
    "sentence,is_rec,actor",
    [
        # a minister's "we have to ..." is the government's own course: a commitment
        ("We have to look at which groups of children could return to school first.", False, None),
        ("It is absolutely crucial that we communicate any decision to parents and staff.", False, None),
        # ... but not a generic "we all", nor a demand on someone else
        ("We all must speak out against racism and discrimination.", True, "Unspecified"),
        ("Local authorities need to report any incidents on the ground.", True, "Local Authorities"),
    ],
)
def test_ministers_own_course_is_a_commitment(sentence, is_rec, actor):
    recs, coms = extract(make_doc(sentence, role="Minister for Education", label="Kirsty Williams AM"))
    if is_rec:
        assert [r.actor for r in recs] == [actor] and coms == []
    else:
        assert recs == [] and [(c.actor, c.signal) for c in coms] == [("Government", "committed")]


def test_agentless_must_then_who_is_urged_is_one_item():
    recs = recs_of("The independence of the Court must be preserved. My delegation urges all States to refrain "
                   "from pressuring its judges.")
    assert [r.actor for r in recs] == ["Member States"] and recs[0].text.endswith("judges.")
    recs = recs_of("Equitable representation must be ensured in all organs. Kenya also urges the Court to cut costs.")
    assert [r.actor for r in recs] == ["Unspecified", "International Criminal Court"]


def test_pronoun_antecedent_stays_in_the_turn():
    assert [r.actor for r in recs_of("Member States pay for missions. They must also provide the troops.")] == [
        "Member States"]
    assert [r.actor for r in recs_of("Member States pay for missions.", "They must also provide the troops.")] == [
        "Unspecified"]


def test_engagement_with_a_partner_keeps_the_topic():
    recs = recs_of("The Secretariat must base its guidance on lessons derived from the field. "
                   "The engagement with troop contributors on this aspect will be absolutely vital.")
    assert [r.actor for r in recs] == ["UN Secretariat", "UN Secretariat"]


def test_forward_this_merges_and_a_generic_subject_stays_generic():
    recs = recs_of("It is essential that all stakeholders understand this. Troops on the ground do not expect "
                   "detailed orders. The force commander has to have the flexibility to decide.")
    assert len(recs) == 1 and recs[0].text.endswith("to decide.")
    assert recs[0].actor == "Unspecified"


def test_implied_agents_come_from_the_lexicon():
    base = load_lexicon()
    doc = make_doc("The Security Council needs to be kept informed of the situation.")
    assert extract(doc, base)[0][0].actor == "UN Secretariat"
    no_informs = {**base, "implied_agents": {**base["implied_agents"], "informs": {}}}
    assert extract(doc, no_informs)[0][0].actor == "Unspecified"
    own_task = {**base, "implied_agents": {**base["implied_agents"], "informs": {},
                                           "tasks": [{"agent": "Researchers", "pattern": r"\bsituation\b"}]}}
    assert extract(doc, own_task)[0][0].actor == "Researchers"


# ---------------------------------------------------------------- precision: own side, descriptive modals, merges


def coms_of(*speeches, **kw):
    _, coms = extract(make_doc(*speeches, **kw))
    return coms


@pytest.mark.parametrize(
    "sentence,role",
    [
        ("We have to do better on waiting lists, and we will.", "Minister for Health and Social Services"),
        ("It will have to be decided in the light of the wider Government response.", "Minister for Housing"),
        ("It is essential that we publish the guidance before the summer.", "Secretary of State for Justice"),
        ("There should be no change to the payments this year.", "Deputy Minister for Finance"),
        ("So we need to work closely with councils to identify that demand.", "director of the social services directorate"),
        ("It is very important for us that the scheme be open to as many firms as possible.", "Minister of Finance"),
    ],
)
def test_own_side_undertaking_is_a_commitment(sentence, role):
    """A Minister's or official's own-side "we have to", agentless passive or "it / there" subject."""
    doc = make_doc(sentence, role=role, label="Hon. Jane Doe")
    recs, coms = extract(doc)
    assert recs == [] and len(coms) == 1, ([r.text for r in recs], [c.text for c in coms])


@pytest.mark.parametrize(
    "sentence,role,actor",
    [
        # another actor named: still a recommendation, whoever speaks
        ("Local authorities should report every incident to us.", "Minister for Education", "Local Authorities"),
        # the same words from a committee member or a delegation stay recommendations
        ("We have to do better on waiting lists.", "Cardiff North, Lab.", "Unspecified"),
        ("It will have to be decided by the Council.", "Kenya", "Security Council"),
        ("We have to do better on waiting lists.", "Shadow Minister for Health", "Unspecified"),
        # a thing as subject of "is crucial" is a finding-form prescription, not the Minister's undertaking
        ("Access to broadband is crucial at this time.", "Minister for Education", "Unspecified"),
    ],
)
def test_own_side_keeps_recommendations(sentence, role, actor):
    recs = recs_of(sentence, role=role)
    assert [r.actor for r in recs] == [actor]


@pytest.mark.parametrize(
    "sentence",
    [
        # relative clauses and habitual necessity describe, they do not prescribe
        "Many families who have to travel for treatment face long delays.",
        "These are communities who must at times live with constant fear.",
        "The programme gives young people the experience they need to find work.",
        # a consequence, not a call
        "That applicant will therefore have to reapply next year.",
        # "require" of a relative or pronoun subject: a description
        "There are vocational courses that require a practical assessment.",
        "The principles are clear that they require a decision from the Minister.",
        # a modal in an embedded how / whether clause
        "The Government has published guidance on how the rules should be applied in care homes.",
        # evaluative "important to" + a noun phrase
        "Our farmers and fishers are very important to the coastal regions.",
        # rhetorical "let us"
        "Let us try to get to the bottom of this allegation.",
        # assertive "important to recognise that"
        "It is important to recognise that the funding is flexible.",
        # a need given as the reason for a past act
        "We did so because we believe in the need to end impunity.",
    ],
)
def test_descriptive_modal_is_not_a_recommendation(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "It is not only the Secretariat that has to implement the recommendations.",  # a cleft prescribes
        "It is the commanders who must understand what protection means.",
        "Our farmers are very important to sustain the coastal regions.",
    ],
)
def test_descriptive_cancels_keep_prescriptions(sentence):
    assert len(recs_of(sentence)) == 1


@pytest.mark.parametrize(
    "speech,actors",
    [
        # the same recommendation restated in the next sentence (shared words, no new actor): one item
        ("My expectation is that schools should keep in contact with pupils and refer any concerns to social services. "
         "So there is a professional expectation on everyone working with pupils that they refer concerns at once.",
         ["Schools and Educators"]),
        # an agentless prescription, then the call that names who is to act: one item, the call's actor
        ("The independence of the Court must be preserved. My delegation urges all States to refrain from "
         "pressuring its judges.", ["Member States"]),
        # "also" marks a further point: two items
        ("The independence of the Court must be preserved. Kenya also urges the Court to cut its costs.",
         ["Unspecified", "International Criminal Court"]),
        # different actors named: two items
        ("Schools should refer concerns to social services. Parents should contact the school about concerns.",
         ["Schools and Educators", "Parents and Families"]),
    ],
)
def test_adjacent_restatements_merge(speech, actors):
    assert [r.actor for r in recs_of(speech)] == actors


@pytest.mark.parametrize(
    "sentence,cue,actor",
    [
        ("We call for international assistance to the affected countries.", "urge", None),
        ("Ghana reiterates its call for support from the international community for the Trust Fund.", "urge",
         "Member States"),
        ("Local authorities are asked by us to report every incident on the ground.", "passive_request",
         "Local Authorities"),
        ("States Parties are requested to submit their reports on time.", "passive_request", "States Parties"),
        ("More support is required from all States Parties to promote the work of the Court.", "predicate",
         "States Parties"),
        ("I wish once again to invite those States that have not yet joined the International Criminal Court "
         "mechanism to do so.", "request", None),
    ],
)
def test_more_recommendation_forms(sentence, cue, actor):
    recs = recs_of(sentence)
    assert [r.cue for r in recs] == [cue]
    if actor:
        assert recs[0].actor == actor


@pytest.mark.parametrize("sentence", ["We are asked to report every month.", "This calls for a comment."])
def test_being_asked_is_not_a_request(sentence):
    assert [r.cue for r in recs_of(sentence)] not in (["passive_request"], ["call_for"])


@pytest.mark.parametrize(
    "sentence,role,signal",
    [
        # a delegation's or government's own past act, and its renewed support
        ("New Zealand provided support for the Court's Special Fund for Security.", "New Zealand", "done"),
        ("In budget 2019 we invested $45 million in a new anti-racism strategy.", "Scarborough Centre, Lib.", "done"),
        ("The Guinean Government also established a reparations fund for the victims.", "Guinea", "done"),
        ("This week, we were able to launch our virtual mentoring network.", "Minister for Education", "done"),
        ("Today my delegation renews its full support for the International Criminal Court.", "El Salvador",
         "committed"),
        ("I would like to conclude by reiterating my country's commitment to the work of the Court.", "Peru",
         "committed"),
        ("Colombia is committed to gender equity in all the organs of the Court.", "Colombia", "committed"),
        # a Minister's own side: officials, the Government, an announcement in the passive
        ("Officials are working with local authorities to ensure every child has a laptop.",
         "Minister for Education", "in progress"),
        ("The additional money will be made available to local authorities next month.",
         "Minister for Education", "committed"),
    ],
)
def test_own_side_commitment_forms(sentence, role, signal):
    recs, coms = extract(make_doc(sentence, role=role))
    assert recs == [] and [c.signal for c in coms] == [signal], ([r.text for r in recs], [c.cue for c in coms])


@pytest.mark.parametrize(
    "sentence,role",
    [
        # the same passive or third-party subject from a member of the committee is no undertaking
        ("The additional money will be made available to local authorities next month.", "Cardiff North, Lab."),
        ("Officials are working with local authorities to ensure every child has a laptop.", "Cardiff North, Lab."),
        # a chair's own "we" is the meeting's procedure; so is writing to the witness
        ("We're working on it as we go through.", "Chair (Nipissing, Lib.)"),
        ("Well, we will have to write to the Minister about anything we didn't ask.", None),
    ],
)
def test_not_an_own_side_commitment(sentence, role):
    recs, coms = extract(make_doc(sentence, role=role))
    assert recs == [] and coms == []


def test_generic_we_as_citizens_is_not_the_ministers_undertaking():
    recs, coms = extract(make_doc("We, as Canadians, must be vigilant against racism.", role="Minister of Finance"))
    assert len(recs) == 1 and coms == []


def test_commitments_split_at_a_new_point():
    _, coms = extract(make_doc("We will publish the data next week. Firstly, we will consult the unions.",
                               role="Minister for Education"))
    assert len(coms) == 2


@pytest.mark.parametrize(
    "sentence,signal",
    [
        ("We have been in close touch with the health boards about the backlog.", "in progress"),
        ("Our officials have been having conversations with each of the councils.", "in progress"),
        ("We are repurposing some of the capital budget to fill that gap.", "in progress"),
        ("I'm hoping to make an announcement later this week about the scheme.", "in progress"),
        ("We will continue to have dialogue with the unions on this.", "committed"),
        ("What I have done today is publish the principles for reopening.", "done"),
    ],
)
def test_progress_report_forms(sentence, signal):
    recs, coms = extract(make_doc(sentence, role="Minister for Education"))
    assert recs == [] and [c.signal for c in coms] == [signal], [c.cue for c in coms]


@pytest.mark.parametrize(
    "sentence",
    [
        "Today I would like to specifically highlight the work of our carers.",  # a speech act, adverb or not
        "We continue to have concerns about the timetable.",
        "This is the real world and we're looking at the political context.",  # discussing, not doing
    ],
)
def test_not_progress_reports(sentence):
    assert coms_of(sentence, role="Cardiff North, Lab.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "I would encourage landlords to use this programme.",  # a Minister asking someone else
        "If he has good ideas, let's work together on them.",  # a joint exhortation, not an undertaking
        "We all must speak out against racism and discrimination.",  # everyone
        "If we truly want an inclusive country, every single one of us must step up.",
        "We have to consider how we can support children, as it is natural for all of us to have fears.",
    ],
)
def test_minister_exhortations_to_others_stay_recommendations(sentence):
    recs, coms = extract(make_doc(sentence, role="Minister of Families"))
    if "all of us" in sentence:  # "all of us" later in the sentence does not make the subject generic
        assert recs == [] and len(coms) == 1
    else:
        assert len(recs) == 1 and coms == []


def test_minister_agentless_demand_is_own_course():
    recs, coms = extract(make_doc("Immediate action must be taken on the import quotas.", role="Minister of Agriculture"))
    assert recs == [] and [c.signal for c in coms] == ["committed"]


# ---------------------------------------------------------------- third-party requests, frames, own side by introduction


@pytest.mark.parametrize(
    "sentence,actor",
    [
        # petitions presented by a member: the petitioners' request, restated, asks the object
        ("The petitioners ask the Government to restore funding for rural broadband.", "Government"),
        ("The signatories ask the Minister not to close the rail line.", "Government"),
        ("I table this petition on behalf of residents who wish the Government not to close the regional office.",
         "Government"),
        ("The petitioners are calling for the Government to immediately ban single-use plastics.", "Government"),
        ("Stakeholders ask the provinces to share their vaccination data weekly.",
         "Provincial and Territorial Governments"),
        # a document or body as the requester (a verb, not the noun "calls")
        ("The resolution calls upon all States to cooperate fully with the Court.", "Member States"),
        ("The draft resolution calls on the parties to respect the ceasefire.", "Parties to Conflict"),
        ("The report calls for the Secretariat to publish the data annually.", "UN Secretariat"),
        ("We join the Secretary-General in calling for the parties to return to negotiations.", "Parties to Conflict"),
        # a committee's or report's recommendation without "that"
        ("The Committee recommends the Government adopt a national strategy on dementia.", "Government"),
    ],
)
def test_third_party_requests(sentence, actor):
    recs = recs_of(sentence, role="Vancouver East, NDP")
    assert len(recs) == 1 and recs[0].actor == actor, [(r.cue, r.actor) for r in recs]


@pytest.mark.parametrize(
    "sentence",
    [
        "Witnesses asked the Minister about the delays.",  # narration, no request
        "We welcome the repeated calls for the parties to return to talks.",  # the noun "calls"
        "We support the petitioners request for the Minister to hold a public inquiry.",  # the noun (no apostrophe)
        "This calls for investment in the national capacity of States in order to be able to try such crimes.",
        "They ask me to raise this every year.",  # the speaker asked
        # a participle describing past decisions, not a request made now
        "There have been decisions calling for provisional measures to be adopted in such cases.",
    ],
)
def test_not_third_party_requests(sentence):
    assert [r.cue for r in recs_of(sentence)] not in (["third_party_request"],)


@pytest.mark.parametrize(
    "sentence",
    [
        # a modal inside a denial or critique frame is not the speaker's prescription
        "Nowhere in the Constitution do I find that the federal government must set conditions on health transfers.",
        "No-one's going to say that a minor scuffle is something that should go before the criminal courts.",
        "Nobody believes the Council should abandon the mission.",
        "I'm not saying that the Secretariat should close the office.",
        # an elliptical or cut-off modal: the action is not said
        "It is not something that we should",
        "Yes, they must.",
        # chair / moderator procedure with "let's"
        "Let's talk.",
        "Let's move on to the next segment.",
        "Let's get back to the question of the budget.",
        # narration of one's own past advice
        "I cannot recall who was present or even what I recommended to him at that meeting.",
    ],
)
def test_frames_fragments_and_procedure_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm not saying that the Secretariat should close the office, but it must reduce its costs.",  # new clause
        "Let's continue with this work in earnest.",
        "Let's work together to end this conflict.",
    ],
)
def test_frames_end_at_a_new_clause_and_exhortations_stay(sentence):
    assert len(recs_of(sentence)) == 1


def test_role_from_the_chairs_introduction_makes_own_side():
    text = ("The Chair: We'll now go to Mr. Smith.\n\n"
            "Mr. John Smith (Calgary Centre, CPC): When will the government send the money to the provinces?\n\n"
            "The Chair: The honourable Deputy Prime Minister.\n\n"
            "Hon. Mary Jones: Mr. Chair, we must give financial support to the provinces. "
            "It's time to put an end to this.\n")
    doc, recs, coms = process_source(_source(text), load_lexicon())
    jones = next(s for s in doc.speakers if s.name == "Mary Jones")
    assert jones.role == "Deputy Prime Minister"
    assert recs == [] and len(coms) >= 1


def test_chair_introducing_a_member_gives_no_role():
    text = ("The Chair: The honourable member for Calgary Centre.\n\n"
            "Hon. John Smith: Mr. Chair, the government must send the money now.\n")
    doc, recs, _ = process_source(_source(text), load_lexicon())
    assert next(s for s in doc.speakers if s.name == "John Smith").role is None
    assert len(recs) == 1


def _source(text):
    import tempfile
    from pathlib import Path
    d = Path(tempfile.mkdtemp())
    p = d / "hearing.txt"
    p.write_text(text, encoding="utf-8")
    return read_source(p)


@pytest.mark.parametrize(
    "sentence,role,signal",
    [
        # a Minister's report of what a programme has delivered, passive or with the recipients as subject
        ("Nearly two million households have received the housing benefit.", "Minister of Housing", "done"),
        ("More than $4 billion of support has been paid out through the wage scheme.", "Minister of Finance", "done"),
        ("Over 300,000 small firms have benefited from the loan programme.", "Minister for the Economy", "done"),
        # a Minister's "we need + noun": the government's own course
        ("I agree that we need fundamental reform of the procurement rules.", "Minister of Justice", "committed"),
        # first-person government action, past and in hand (any speaker speaking for their side)
        ("Last year we got rid of the prescription charge.", None, "done"),
        ("We have devoted nearly 3% of GDP to the recovery package.", "Minister of Finance", "done"),
        ("I'm cutting the waiting lists for hip operations.", None, "in progress"),
        ("We are hiring 2,000 more nurses this year.", "Minister of Health", "in progress"),
        # one's own proposal in a pseudo-cleft
        ("What I proposed is that we expand the public option.", None, "committed"),
    ],
)
def test_own_side_delivery_and_action_reports(sentence, role, signal):
    recs, coms = extract(make_doc(sentence, role=role))
    assert recs == [] and [c.signal for c in coms] == [signal], ([r.cue for r in recs], [c.cue for c in coms])


@pytest.mark.parametrize(
    "sentence,role",
    [
        # the same delivery forms from a member holding the Minister to account are no undertaking
        ("Nearly two million households have received the housing benefit.", "Calgary Centre, CPC"),
        ("We have received many letters from constituents about the delays.", "Minister of Health"),
        # talk about the talk
        ("I will tell you very simply.", None),
        ("Mr. Chair, I will continue in French.", "Minister of Finance"),
        ("We'll probably come on to that.", None),
        ("As moderator, we are going to talk about the economy in the next segment.", None),
        ("I would like to speak about that for a moment.", "Minister of Finance"),
        ("I am delighted to share with the member opposite what we are doing for small businesses.",
         "Minister of Finance"),
        ("I'm trying to suggest that the issue is a political one.", None),
        # plain facts
        ("The election has already started.", None),
        ("The rainy season has begun in the south.", None),
    ],
)
def test_not_delivery_reports_or_promises(sentence, role):
    _, coms = extract(make_doc(sentence, role=role))
    assert coms == [], [c.cue for c in coms]


def test_work_under_way_is_still_a_progress_report():
    _, coms = extract(make_doc("Preparatory work has already started on the new guidance.", role="Director, DPKO"))
    assert [c.signal for c in coms] == ["in progress"]


@pytest.mark.parametrize(
    "sentence,role,kind",
    [
        # "now is the time to ...": a prescription; a Minister's own course, a member's demand
        ("Now is the time to act on the housing crisis.", "Calgary Centre, CPC", "rec"),
        ("Now is the time for the provinces to step up.", "Minister of Health", "rec"),
        ("I agree with the member that now is the moment to fight this.", "Minister of Justice", "com"),
        # a plural subject with the bare verb "call" is a request, not the noun ("the repeated calls")
        ("The signatories call on the House of Commons to pass the bill without amendment.", None, "rec"),
        ("These petitioners call upon the Minister of Health to fund the clinic.", None, "rec"),
        ("The witnesses request the committee to publish its report before the summer.", None, "rec"),
    ],
)
def test_now_is_the_time_and_plural_callers(sentence, role, kind):
    recs, coms = extract(make_doc(sentence, role=role))
    assert (len(recs), len(coms)) == ((1, 0) if kind == "rec" else (0, 1)), ([r.cue for r in recs], [c.cue for c in coms])


@pytest.mark.parametrize(
    "sentence,role,signal",
    [
        # a Minister's contacts on the matter are a progress report
        ("I spoke to the National Chief this morning about the inquiry.", "Minister of Crown-Indigenous Relations",
         "done"),
        ("The Prime Minister and the Minister of Transport had several conversations last week with the airlines.",
         "Deputy Prime Minister", "done"),
        # the speaker's side standing by others
        ("The federal government is there to support the provinces throughout this crisis.", "Minister of Finance",
         "in progress"),
        ("We are there for the families of the victims.", "Minister of Public Safety", "in progress"),
    ],
)
def test_contacts_and_standing_support(sentence, role, signal):
    recs, coms = extract(make_doc(sentence, role=role))
    assert recs == [] and [c.signal for c in coms] == [signal], [c.cue for c in coms]


def test_a_members_contacts_are_no_commitment():
    assert coms_of("I spoke to the mayor of Halifax this morning.", role="Halifax West, Lib.") == []


def test_chair_introductions_by_role():
    from loader.speakers import _chair_intro_role, vocabulary
    v = vocabulary()
    assert _chair_intro_role("The honourable Deputy Prime Minister.", v) == "Deputy Prime Minister"
    assert _chair_intro_role("Thank you. The honourable minister.", v) == "minister"
    assert _chair_intro_role("I now give the floor to the Minister of Finance, the Hon. Jane Doe.", v) == "Minister of Finance"
    assert _chair_intro_role("I call on the Cabinet Secretary for Education.", v) == "Cabinet Secretary for Education"
    for text in ("We'll now go to Mr. Smith.", "The honourable member for Calgary Centre.",
                 "Ms. Jones, you have the floor.", "I give the floor to Ms. Smith."):
        assert _chair_intro_role(text, v) is None, text


def test_bad_cue_pattern_is_one_clear_cli_error(tmp_path):
    from click.testing import CliRunner

    from loader.cli import cli

    bad = tmp_path / "bad.yml"
    bad.write_text('cues:\n  recommendation:\n    - name: broken\n      pattern: "(unclosed"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["load", str(SEED_FILE), "--db", str(tmp_path / "x.db"), "--lexicon", str(bad)])
    assert result.exit_code == 1
    assert "lexicon cues.recommendation.broken: bad pattern" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- blind set 2 forms (descriptive, epistemic, nominal calls)


@pytest.mark.parametrize(
    "sentence",
    [
        # a perfect infinitive after a modal describes (or infers) a state: never a prescription
        "Any motion tabled for this sitting must have already been approved by the table office.",
        "Every amendment should have previously been circulated to members.",
        # "may / might have to" is a possibility, not a request
        "Some pupils may have to stay at home because their parents are shielding.",
        "Staff might need to be redeployed if the outbreak worsens.",
        # a speech act in the passive
        "It must be acknowledged that the Tribunal faces a heavy docket this year.",
        "It should be noted that the Commission met twice in March.",
        # an ideal described, not an action asked
        "She was everything a good diplomat should be and could be.",
        "The rule of law must prevail.",
        # what someone will have to do, as the object of another verb
        "The guidance sets out what colleges will need to do next term.",
        # a moderator's rhetorical "let's think about it"
        "Let's think about it, in these hard times.",
        # the reported wish of others
        "The communique notes the desire of both parties that the border question should be settled by talks.",
        # thanks for encouraging is a tribute
        "I thank the volunteers for continuing to encourage young people in my riding.",
        # a position on the need, restated
        "We reaffirm our long-standing position on the need for dialogue between the parties.",
    ],
)
def test_descriptive_and_epistemic_forms_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize(
    "sentence,actor",
    [
        # an invitation with a parenthetical before the infinitive
        ("We invite the General Assembly, in accordance with its rules of procedure, to review the scale.",
         "General Assembly"),
        # a passive invitation with a connective adverb
        ("States are therefore invited to ratify the Convention without delay.", "Member States"),
        ("Member States are thus encouraged to share their data.", "Member States"),
        # a delegation (my country / my delegation) calling for something
        ("My country calls for renewed efforts to broaden the membership of the Tribunal.", None),
        # a call or appeal made as a noun
        ("There is a call to protect the coastal communities and to restore the wetlands.", None),
        ("I'd put in a plea for that to be looked at by the regional consortia.", None),
        # a duty to act
        ("The Council has a duty to act on these findings.", "Security Council"),
        # a delegation stressing the importance of an action
        ("Ghana underscores the importance of implementing the advisory opinion in full.", None),
    ],
)
def test_invitations_calls_and_duties(sentence, actor):
    recs = recs_of(sentence)
    assert len(recs) == 1, sentence
    if actor:
        assert recs[0].actor == actor


def test_a_ministers_own_asking_is_no_recommendation():
    assert recs_of("Let's think about it, we're asking parents to leave their children at the hubs.",
                   role="Minister for Education") == []


def test_elliptical_request_to_the_witness():
    recs = recs_of("So, just to ask you at this stage to build those concerns into the new framework.",
                   role="Cardiff North, Lab")
    assert len(recs) == 1


@pytest.mark.parametrize("state", ["Lithuania", "Russia", "Pakistan", "New Zealand"])
def test_a_named_state_asked_to_act_is_a_member_state(state):
    """The State is kept as named; it rolls up to (and is scored as) the Member States."""
    recs = recs_of(f"We call on {state} to comply with the provisional measures of the Court.", role="Estonia")
    assert [(r.actor, r.actor_group, r.actor_kind, r.actor_text) for r in recs] == [
        (state, "Member States", "member state", state)]


@pytest.mark.parametrize(
    "sentence,role,actor",
    [
        # who is to support, fund or respect a body acts, not the body (a delegate: the membership)
        ("The Tribunal must be fully supported and adequately resourced.", "Estonia", "Member States"),
        ("All judgments of the Court should be respected and upheld.", "Permanent Representative of Chile", "Member States"),
        # ... unless the agent is named
        ("The mission must be supported by the Security Council.", "Estonia", "Security Council"),
        # a legislator's "I call on us to ...": the house itself
        ("I call on us to hold an inquiry into these groups.", "Victoria, NDP", "Parliament"),
        # a subject, then a relative clause between commas
        ("The Security Council, which has been silent for too long, has a duty to act.", "Estonia", "Security Council"),
    ],
)
def test_recipient_passives_legislators_us_and_relative_subjects(sentence, role, actor):
    recs = recs_of(sentence, role=role)
    assert [r.actor for r in recs] == [actor], [(r.cue, r.actor_text) for r in recs]


@pytest.mark.parametrize(
    "sentence",
    [
        # "critical to the ..." evaluates a thing; no action asked
        "It is critical to the credibility of this Organization that we adopted the budget on time.",
        # the role of a body praised
        "Its role in upholding the rule of law is indispensable.",
        "Their contribution to peace in the region is vital.",
        # "let us know" is "tell us", not "let's"
        "Please let us know by Friday so that we can plan the rota.",
        # a stranded relative about what people need to be aware of
        "I think that's a point that parents need to be aware of.",
        # "important that X will be able to": information, not a request
        "It's also important that nurseries will be able to claim the grant from next month.",
        # a claim attributed to anyone
        "I am worried when anyone suggests that we are all to blame.",
    ],
)
def test_evaluations_and_reports_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize(
    "sentence,role,signal",
    [
        # a delegation's own votes, filings and participation
        ("My delegation voted in favour of the draft resolution.", "Estonia", "done"),
        ("We abstained in the voting on resolution 78/12.", "Estonia", "done"),
        ("Chile is proud to have submitted a written statement to the Tribunal.", "Chile", "done"),
        ("Last year Chile participated in the advisory proceedings on climate change.", "Chile", "done"),
        ("Chile joins other States in supporting the Tribunal's work.", "Chile", "committed"),
        # a Minister's letters and what is being written
        ("I wrote yesterday to all local authority leaders about the hubs.", "Minister for Health", "done"),
        ("We're writing to all colleges today with the new guidance.", "Minister for Health", "in progress"),
    ],
)
def test_delegation_reports_and_ministers_letters_are_commitments(sentence, role, signal):
    recs, coms = extract(make_doc(sentence, role=role))
    assert recs == [] and [c.signal for c in coms] == [signal], ([r.cue for r in recs], [c.cue for c in coms])


@pytest.mark.parametrize(
    "sentence,signal",
    [
        ("Since taking office, our government has taken many concrete steps to fight hunger.", "in progress"),
        ("We are helping small firms to obtain credit.", "in progress"),
        ("We have made significant investments in rural broadband.", "done"),
        ("We therefore fully support this request.", "committed"),
    ],
)
def test_more_progress_reports(sentence, signal):
    recs, coms = extract(make_doc(sentence, role="Chile"))
    assert recs == [] and [c.signal for c in coms] == [signal], ([r.cue for r in recs], [c.cue for c in coms])


def test_a_report_after_for_example_with_another_signal_is_its_own_item():
    coms = coms_of("We are working with the provinces on the plan. For example, we have provided $9 million to shelters.",
                   role="Chile")
    assert [c.signal for c in coms] == ["in progress", "done"]


def test_petitioners_calling_for_and_a_further_call_are_two_items():
    recs = recs_of("I rise to present a petition from residents calling for the government to protect the wetlands. "
                   "There is a call to halt the pipeline and to consult the nations concerned.", role="Victoria, NDP")
    assert len(recs) == 2
    assert recs[0].actor == "Government"


def test_cannot_continue_in_a_relative_clause_describes():
    recs, coms = extract(make_doc("The Government will be working with charities whose usual services can't continue "
                                  "at the moment.", role="Minister for Health"))
    assert recs == [] and len(coms) == 1


def test_those_who_shall_in_a_quotation_is_no_recommendation():
    assert recs_of("As the old oath says, free to choose those who shall govern my country.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        # a criticism of people who should be doing otherwise
        "The damage is being done by leaders who should at this moment be uniting the country.",
        # an anaphoric summary with no action of its own
        "That's what we must do in this chamber.",
    ],
)
def test_criticisms_and_summaries_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


# ---------------------------------------------------------------- reported views and valuations


@pytest.mark.parametrize("sentence", [
    "Some responses to this committee say that the state should not get involved in family life.",
    "They argue that the President must be given more room to act in secret.",
    "You have said that the only policy toward the region should be economic aid.",
    "Our neighbours across the border are vital to us.",
    "Bees are crucial to our food system.",
])
def test_reported_views_and_valuations_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize("sentence", [
    "They argue that it is hard, but the Council must act now.",  # "but" ends the reported frame
    "It is vital to our future to invest in schools.",  # valued, and an action asked
    "The Government must say that it will fund the schools.",  # the speaker's own prescription
])
def test_prescriptions_next_to_those_forms_stay(sentence):
    assert len(recs_of(sentence)) == 1


@pytest.mark.parametrize("raw,stored", [
    ("High  Commissioner", "High Commissioner"),  # a line wrap inside the name
    ("Special\nEnvoy for Syria", "Special Envoy for Syria"),
    ("member of the", "Unspecified"),  # a phrase cut off
    ("your moderator", "Unspecified"),  # a possessive, not a name
    ("Security Council", "Security Council"),
    ("Chairman Arafat", "Chairman Arafat"),
])
def test_actor_names_are_names(raw, stored):
    from loader.extract import actor_name, rules_for

    assert actor_name(rules_for(None), raw) == stored


@pytest.mark.parametrize("sentence", [
    "I've got to say 'yes', in many regards.",  # a speech act, not a need
    "We need to\u2014.",  # cut off before the action
    "I would like to remind honourable members that they should be concise when presenting petitions.",
    "It is my understanding that it would be desirable to defer consideration of this item to the next session.",
    "May I take it that the Assembly wishes to conclude its consideration of agenda item 12?",
])
def test_speech_acts_cut_offs_and_procedure_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


def test_a_need_next_to_got_to_say_stays():
    assert len(recs_of("I've got to say that the Government must publish the data.")) == 1


def team_recs(*speeches):
    """Recommendations of a team meeting (the speakers' "we" is the team: ``addressee_we``)."""
    doc = make_doc(*speeches, label="Project Manager")
    doc.forum, doc.addressee, doc.addressee_we, doc.proposals = "Team meeting", "Team", True, True
    recs, _ = extract(doc)
    return recs


@pytest.mark.parametrize("sentence", [
    "We could paint the case a bright green .",
    "you could you could put the volume dial on the side ,",
    "Well , we can make the lid out of cork .",
    "So maybe what we do is we {disfmarker} we order the parts on Monday .",
    "I was thinking that the buttons glow in the dark .",
])
def test_a_teams_could_and_can_proposals_are_recommendations_to_the_team(sentence):
    recs = team_recs(sentence)
    assert [(r.cue, r.actor) for r in recs] == [("team_proposal+addressee", "Team")]


@pytest.mark.parametrize("sentence", [
    "We could paint the case a bright green.",  # not a team meeting: a hypothetical
    "We could see the problem from the start.",
])
def test_could_outside_a_team_meeting_or_of_seeing_is_no_proposal(sentence):
    assert recs_of(sentence) == []
    assert team_recs("We could see the problem from the start .") == []
    assert team_recs("we moved the dial so we can reach it .") == []  # a purpose clause


@pytest.mark.parametrize("sentence", [
    "Ten years ago there was a need for a new housing scheme in the valley.",  # a past need
    "The paragraph that pointed to the need to fund rural clinics was struck out.",
    "The evidence we have gathered suggests that councils have relied on agency staff.",  # an inference
    "There is a board proposed that would oversee the roll-out.",  # a participle and its relative clause
    "The regulators' role in all of this is absolutely crucial because they license the operators.",
    "Our vote should not be viewed as an endorsement of the text.",  # a reading stipulated
    "The report is unfair to the farmers in need of special help.",  # who receives, described
])
def test_past_needs_inferences_roles_and_readings_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize("sentence", [
    "There is a need for a new housing scheme in the valley.",
    "We suggest that councils stop relying on agency staff.",
    "The whole referral system is in need of serious attention.",
])
def test_present_needs_proposals_and_a_system_in_need_stay(sentence):
    assert len(recs_of(sentence)) == 1


@pytest.mark.parametrize("sentence", [
    "Several delegations resisted the text and claim that poorer countries should keep cutting spending.",
    "You and your running mate have both said that the only answer should be more tariffs.",
    "Even the mayor's own adviser says he'll have to close the library.",
    "Critics come over here and say you have got to raise interest rates.",
    "We certainly must, which is why I answered the first question as I did.",  # no action said
    "Let's go through the figures now.",  # the talk itself
    "The budget has collapsed, let's put it that way.",
    "These are things a leader must know. A parent should be patient.",  # generic norms
])
def test_reported_speech_elliptical_modals_talk_and_generic_norms_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


def test_a_prescription_after_a_reported_view_with_but_stays():
    assert len(recs_of("Some say that taxes are too high, but the council must publish its budget.")) == 1
    assert len(recs_of("A review must be carried out by the council.")) == 1  # an indefinite thing, passive


@pytest.mark.parametrize("sentence,cue,actor", [
    ("It is of great importance that the Government publish the review.", "impersonal", "Government"),
    ("The most important task now is to repair the bridge.", "important_task", "Unspecified"),
    ("My delegation expects the Secretariat to report back by June.", "expect_to", "UN Secretariat"),
    ("They're calling for a tax on sugary drinks.", "petition_call", "Unspecified"),
    ("The petitioners have asked the Government to extend the benefit.", "third_party_request", "Government"),
    ("I present a petition, signed by 500 people, asking the Government to fund a new clinic.",
     "third_party_request", "Government"),
])
def test_importance_tasks_expectations_and_petitions_are_recommendations(sentence, cue, actor):
    assert [(r.cue, r.actor) for r in recs_of(sentence)] == [(cue, actor)]


@pytest.mark.parametrize("sentence", [
    "We expect prices to rise next year.",  # a forecast
    "The most important thing to say is that we are grateful.",
    "Many people have asked me to stand again.",  # the speaker asked
])
def test_forecasts_and_requests_to_the_speaker_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize("sentence", [
    "I'll just add one thing about the timetable.",  # talk about the talk
    "Then we'll we'll see how the numbers look .",  # a repeated pronoun
    "Most of us will regard the nurses as heroes.",
    "As parents we will know what that exam is.",
    "We are doing reasonably well at meeting that demand.",  # an evaluation
    "Residents keep asking what we are doing about the road.",  # an embedded question
    "I'm pretty sure we'll come on shortly to the funding question.",
])
def test_talk_thoughts_evaluations_and_embedded_questions_are_no_commitments(sentence):
    assert coms_of(sentence) == []


@pytest.mark.parametrize("sentence,signal", [
    ("We have put new safeguards in place to stop the fraud.", "done"),
    ("We have channelled $5 million through local charities.", "done"),
    ("Our country is actively working on the border crossings.", "in progress"),
    ("We are looking at ways of simplifying the forms.", "in progress"),
])
def test_measures_put_in_place_funds_channelled_and_work_in_hand_are_commitments(sentence, signal):
    assert [c.signal for c in coms_of(sentence)] == [signal]


def test_a_delegation_named_by_its_adjective_commits():
    coms = coms_of("The Peruvian delegation will continue to work with the other nations of the region.",
                   label="Mr. Quispe (Peru)")
    assert [c.signal for c in coms] == ["committed"]


@pytest.mark.parametrize("speech", [
    "There must be better funding for rural clinics. The second message is that there must be more nurses.",
    "Now let's fix the roads. And most important, let's make the buses free.",
])
def test_an_enumerated_or_most_important_next_point_is_its_own_recommendation(speech):
    assert len(recs_of(speech)) == 2


@pytest.mark.parametrize("sentence", [
    "My delegation would like to clarify its position on two paragraphs.",
    "I would like to focus on three points in connection with the summit.",
])
def test_clarifying_or_focusing_the_speech_is_no_commitment(sentence):
    assert coms_of(sentence) == []


def test_a_negated_opinion_is_no_recommendation_but_a_new_clause_after_it_is():
    assert recs_of("I don't think the new rules should change the way schools report.") == []
    assert len(recs_of("I don't think it is easy, but the council must publish the figures.")) == 1


@pytest.mark.parametrize("sentence", [
    "you could make the case from steel but it would be far too heavy .",  # an option weighed
    "you have to twist it to open the lid .",  # a generic you: how the thing works
    "well if we go for solar , we have to have a bigger panel .",  # the consequence of an option
    "given that we have to drop the old parts , the rest looks fine .",
    "this time it should come up on the screen .",  # the expected state of a thing
    "if we do that , we shall {gap} .",  # cut off by a transcript mark
])
def test_options_weighed_consequences_and_expectations_in_a_team_are_not_recommendations(sentence):
    assert team_recs(sentence) == []


def test_a_generic_you_outside_a_team_meeting_keeps_its_modal():
    assert len(recs_of("Minister, you have to fix it before the winter.")) == 1


def test_a_bad_unless_after_pattern_names_the_cue():
    from loader.errors import LexiconError

    lexicon = {"cues": {"recommendation": [{"name": "mine", "pattern": "x", "unless_after": "("}]}}
    with pytest.raises(LexiconError, match="mine.unless_after"):
        compile_rules(lexicon)


@pytest.mark.parametrize("sentence", [
    "In these dark days we must all come together as neighbours.",  # rhetoric, no action
    "We must never forget the miners who died.",
    "We should remain vigilant.",
    "The Fourth Committee recommends to the General Assembly the adoption of draft resolution IV.",
    "The Committee also recommends that the General Assembly adopt the draft decision.",
])
def test_rhetorical_we_must_and_a_rapporteurs_report_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


def test_we_must_with_an_action_stays():
    assert len(recs_of("We must come up with a plan for the miners.")) == 1


@pytest.mark.parametrize("sentence,signal", [
    ("Where I can, I want to give the money back to the towns.", "committed"),  # a candidate's intent
    ("I'm going to stand by our allies.", "committed"),
    ("And we have maintained the embargo.", "done"),
])
def test_a_candidates_intentions_and_a_maintained_measure_are_commitments(sentence, signal):
    assert [c.signal for c in coms_of(sentence)] == [signal]


@pytest.mark.parametrize("sentence", [
    "I look forward to discussing how we will pay for it.",
    "Tonight my running mate and I want to share with you some ideas.",
    "I'm going to respectfully disagree with the senator.",
])
def test_talk_about_the_debate_is_no_commitment(sentence):
    assert coms_of(sentence) == []


def test_a_second_predicate_of_we_commits():
    coms = coms_of("We back the new treaty on fisheries and stand ready to work with all coastal States.")
    assert [c.signal for c in coms] == ["committed"]
    assert coms_of("They back the treaty and stand ready to sign it.") == []


@pytest.mark.parametrize("sentence", [
    "As we meet today, we in the Group of Ten pledge our full cooperation to the new Chair.",
    "We are going to have an independent review of the scheme next spring.",
])
def test_a_pledge_of_cooperation_and_a_review_to_come_are_commitments(sentence):
    assert [c.signal for c in coms_of(sentence)] == ["committed"]


def test_a_pledge_by_others_is_no_commitment():
    assert coms_of("The donors pledged their support last year.") == []


@pytest.mark.parametrize("sentence", [
    "We all learned much about the steps we now need to take.",  # an object relative
    "I have only got to six of the nine names.",  # "got to" a number: reached
    "I would like to remind the rapporteurs that their summaries should be short.",  # the President's procedure
])
def test_object_relatives_got_to_a_number_and_reminders_to_rapporteurs_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


def test_closing_ones_remarks_is_no_commitment():
    assert coms_of("I would like to close these remarks with a few words of my own.") == []


def test_we_must_do_our_part_is_a_prescription_where_we_is_the_addressee():
    doc = make_doc("We have to keep our roads safe.", label="Sam Smith")
    doc.forum, doc.addressee, doc.addressee_we = "US presidential debate", "United States", True
    recs, coms = extract(doc)
    assert coms == [] and [r.actor for r in recs] == ["United States"]
    assert [c.signal for c in coms_of("We have to keep our roads safe.")] == ["committed"]  # elsewhere: own side


@pytest.mark.parametrize("sentence,cue", [
    ("The gist of our proposal is to raise the basic pension by ten per cent.", "our_proposal"),
    ("My suggestion would be that the inspectors visit every school.", "our_proposal"),
    ("Stop cutting the rural bus routes, Mr. Prime Minister.", "vocative_imperative"),
])
def test_a_stated_proposal_and_an_imperative_to_an_office_holder_are_recommendations(sentence, cue):
    assert [r.cue for r in recs_of(sentence)] == [cue]


def test_thanks_to_an_office_holder_is_no_imperative():
    assert recs_of("Thank you very much, Mr. President.") == []


@pytest.mark.parametrize("sentence", [
    "We are encouraging the development of nurseries on school sites.",
    "But we are having lots of pilot projects on school transport.",
])
def test_encouraging_a_development_and_running_pilots_are_work_in_hand(sentence):
    assert [c.signal for c in coms_of(sentence)] == ["in progress"]


@pytest.mark.parametrize("sentence", [
    "The head teachers said, 'You need to stop changing the curriculum every year'.",  # a quotation
    "Some parents are thinking, 'Oh dear, we've got to pay for it ourselves'.",  # a quoted thought
    "The pupils told us that the uniform rules should be relaxed.",  # a view told back
    "You reminded us that the answers should be short.",  # a view told back
    "I think what you're saying is that the grant should be universal.",  # the other side's view restated
    "They feel that the scheme needs to be simpler.",  # someone else's belief
    "No one is disputing the need to act quickly.",  # an undisputed need: no one asked
    "I sit on the board of the trust, so I should declare that.",  # the speaker's own speech act
    "I need to declare an interest in this matter.",
    "I should like to take this opportunity to describe the history of the fund.",  # "should like": a wish
    "I'm going to have to cut you off there.",  # the chair's procedure
    "It is a welcome side effect, shall we say, of the new rules.",  # a discourse phrase
])
def test_quoted_reported_and_own_speech_acts_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


def test_a_delegation_speaking_of_itself_still_recommends():
    # in a UN record a delegation names itself: its belief is its own view, not someone else's
    assert [r.cue for r in recs_of("Ruritania believes that the Council should meet in public more often.")] == ["modal"]


@pytest.mark.parametrize("sentence", [
    "Pupils value the practical experience that the course has to offer.",  # what a thing has to offer
    "You only have to look at the waiting lists in the north.",  # a rhetorical pointer
    "Obviously, we have to wait for the inspectors' findings.",  # waiting: no action
    "So the councils won't have to find the money themselves.",  # a contracted negated need
    "It is because of the rule that both carers must be in paid work.",  # the terms of a rule
    "It really shouldn't be that difficult to get a bus pass.",  # an expected ease
    "You know that we've had letters, and you must have as well.",  # an inference
    "In closing, it must be reiterated that the disease spreads every day.",  # a speech act
    "It is deeply regrettable that the Organization should be so timid.",  # a putative should
    "We wonder if the commission, in its next report, should not examine that history.",  # an embedded question
    "Paragraph 4 should now read: 'the observer of the Secretariat'.",  # a text read out as amended
    "No family should ever have to choose between heating and eating.",  # a value: no one asked
    "On blood donation we really should all be in this together.",  # a rhetorical we
    "Let's not go there at the moment.",  # a topic left aside
])
def test_offers_pointers_waiting_rules_and_putative_should_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize("sentence", [
    "Your submission emphasises the need for a clearer definition of a carer.",  # a document's content
    "The guidance says that schools should publish their charging policy.",  # what a document says
    "If we are to keep this promise, that has to be an option for every parent.",  # a purpose condition
    "We value the course, recognising the need to develop skills in core subjects.",  # a need in passing
    "The grant now has to compete against other demands on the budget.",  # a constraint described
    "All claimants will be required to repay any overpayment.",  # a future rule described
    "The closure shouldn't last more than a few weeks.",  # an expected duration
    "It is necessary to be aware that there is no agreed definition yet.",  # a thing to keep in mind
    "I shall now make an attempt to summarize the views we heard.",  # the chair summing up
])
def test_documents_conditions_constraints_and_rules_described_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize("sentence", [
    "Our report recommends that the Government publish the data every month.",  # the speaker's side's own report
    "If they are going to be able to do this well, they need much better training.",  # not a "be to" condition
    "One of the reasons why I think it is important to build the shelter is the cost of floods.",
])
def test_own_reports_and_open_conditions_still_recommend(sentence):
    assert recs_of(sentence) != []


@pytest.mark.parametrize("sentence", [
    "I now call on the representative of Ruritania.",  # the President gives the floor
    "I call upon His Excellency Mr. Lee, Minister for Foreign Affairs of Freedonia.",
    "Members are requested to make their statements brief.",
    "Delegations are invited to submit their amendments in writing.",
    "I now invite the Rapporteur of the Third Committee to introduce the reports of the Committee.",
    "The Assembly is invited to take note of the report.",
    "The Fifth Committee recommends that the Assembly approve the revised estimates.",
    "The General Assembly should also decide to include the item in the provisional agenda of its next session.",
])
def test_the_business_of_a_un_record_is_no_recommendation(sentence):
    assert recs_of(sentence, label="The President") == []


def test_calling_on_a_named_person_to_act_is_still_a_recommendation():
    assert [r.cue for r in recs_of("I call on Mr. Lee to withdraw the decree today.")] == ["urge"]


@pytest.mark.parametrize("sentence,actor", [
    ("I encourage all students living in the valleys to apply for the new bursaries.", "Students"),  # a group of the lexicon: its name
    ("I would urge landlords to use the rent relief scheme.", "landlords"),
    ("We would expect all of our practitioners to follow the new guidance.", "practitioners"),
])
def test_the_people_urged_or_asked_are_the_actor_not_the_addressee(sentence, actor):
    recs = recs_of(sentence, addressee="Government")
    assert [(r.actor, r.cue) for r in recs] == [(actor, recs[0].cue)] and "+addressee" not in recs[0].cue


def test_an_object_that_names_no_people_still_goes_to_the_addressee():
    [rec] = recs_of("I urge greater efforts to be made on rural broadband.", addressee="Government")
    assert rec.actor == "Government"


@pytest.mark.parametrize("sentence,signal", [
    ("On your question of 'What happens next?' we are currently working on a new funding formula.", "in progress"),
    ("We have indeed opened two more clinics in the valleys.", "done"),
    ("We have been able to work with the unions to agree a new contract.", "done"),
    ("We promised to scrap the fee, and that is exactly what we have done.", "done"),
])
def test_quoted_questions_emphatic_perfects_and_what_we_have_done_are_commitments(sentence, signal):
    assert [c.signal for c in coms_of(sentence)] == [signal]


@pytest.mark.parametrize("sentence", [
    "I told him, as I said before, he should keep the matter quiet.",  # own past advice reported
    "I said that I thought it would be wise to set the money aside.",
    "Let's go further.",  # talk
    "Well, I would have to give you a proper legal opinion on that.",  # the speaker's own hypothetical
])
def test_own_past_advice_and_own_hypotheticals_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize("sentence", [
    "I really would like to elaborate on that point.",
    "If it is in the file, I will read it.",
])
def test_elaborating_and_reading_out_are_no_commitments(sentence):
    assert coms_of(sentence) == []


def test_a_run_of_parallel_prescriptions_is_a_list_of_items():
    recs = recs_of("We need to reopen the border crossings. We need to insist that the factions release "
                   "the hostages. We need to restore the water supply.")
    assert len(recs) == 3


def test_a_prescription_and_its_continuation_stay_one_item():
    recs = recs_of("We need to reopen the border crossings. That has to happen before the winter.")
    assert len(recs) == 1


@pytest.mark.parametrize("sentence,actor", [
    ("It is important to reach out to moderate Arab nations like Jordan.", "Government"),  # the nations receive
    ("It is essential to support parents in the first year.", "Government"),  # the parents benefit
    ("It is essential for the Security Council to meet in public.", "Security Council"),  # "for X to": X acts
])
def test_after_an_infinitive_a_name_is_its_object_not_the_actor(sentence, actor):
    assert [r.actor_group or r.actor for r in recs_of(sentence, addressee="Government")] == [actor]


@pytest.mark.parametrize("sentence,n", [
    ("On the back you could fit it {disfmarker}", 0),  # an option cut off before it is said
    ("You could have a {disfmarker} 'cause the battery would drain.", 0),
    ("We could {disfmarker} we could run {disfmarker} run a few more tests.", 1),  # a repair: the proposal is said
])
def test_a_team_option_cut_off_is_no_proposal(sentence, n):
    doc = make_doc(sentence, label="Project Manager")
    doc.forum, doc.addressee, doc.addressee_we, doc.proposals = "Team meeting", "Team", True, True
    recs, _ = extract(doc)
    assert len(recs) == n


@pytest.mark.parametrize("sentence", [
    "You need to unmute yourself, Minister.",  # the chair's procedure
    "I have promised a public campaign over five years, should the Bill be passed.",  # a conditional by inversion
    "The Housing (Scotland) Act clearly states that landlords must register every tenancy.",  # a law described
    "Under section 4, the Scottish Ministers must publish a yearly report.",
    "So that suggests that the council should have acted sooner.",  # an inference
    "The forecasts were indicating that we should have a surplus by March.",
    "We felt the need to put these points into our report.",
    "The plan will be the subject of consultation in terms of what needs to be included in it.",  # embedded what
    "We're looking forward to hearing what you've got to say.",  # what someone has to say
    "We send out hundreds of questions that we ask twice a year to test the providers.",  # practice described
    "Our job will be looking at the reforms that will be necessary for the new curriculum.",  # a relative need
    "It is reasonable to expect the books in both languages, and for teachers not to have to translate them.",
    "I think you would have to ask the Welsh Government about the exact figure.",  # sent on to someone else
    "We still don't know the role that children have to play in spreading the virus.",  # a role described
    "But for us it's really important to reiterate that the service is still open.",  # a speech act
    "It might be helpful, Chair, if Mrs Jones could say something about the monitoring.",  # the chair's procedure
    "A separate duty relating to the need to promote awareness is not needed.",  # a need denied
])
def test_more_descriptions_conditions_and_procedure_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


def test_a_minister_saying_what_i_have_to_do_or_what_we_ask_of_parents_recommends_nothing(tmp_path):
    text = ("Jane Roe AM: What is the budget for the scheme?\n\nAnn Minister AM: I have to make decisions within "
            "the money I have.\n\nJohn Doe AM: How will parents apply?\n\nAnn Minister AM: We're asking parents to "
            "bring in their wage slips.\n\nJane Roe AM: When will it start?\n\nAnn Minister AM: In April.\n")
    path = tmp_path / "hearing.txt"
    path.write_text(text, encoding="utf-8")
    _, recs, _ = process_source(read_source(path))
    assert recs == []


@pytest.mark.parametrize("sentence", [
    "But you have to {disfmarker} you know, if you look at it closely, it changes.",  # a modal cut off
    "Shall we wait until I have shown you the slides.",  # a question form
    "If you run a small school and you have to cut one post, it can hurt morale badly.",  # a modal in the if-clause
])
def test_cut_off_modals_shall_we_and_modals_in_a_condition_are_not_recommendations(sentence):
    assert recs_of(sentence) == []


@pytest.mark.parametrize("sentence", [
    "But then the buttons would have to be very small.",  # a team's hypothetical consequence
    "That's what I was thinking of, yeah.",  # agreement, no proposal
])
def test_a_teams_consequences_and_agreement_are_no_proposals(sentence):
    doc = make_doc(sentence, label="Project Manager")
    doc.forum, doc.addressee, doc.addressee_we, doc.proposals = "Team meeting", "Team", True, True
    recs, _ = extract(doc)
    assert recs == []


@pytest.mark.parametrize("sentence,signal", [
    ("We have employed and appointed new regional advisers.", "done"),
    ("We've also commissioned a review of the first phase.", "done"),
    ("We moved very quickly to get the grant out to families.", "done"),
    ("I tabled these amendments in response to the committee's report.", "done"),
    ("We're reassessing how we can lower the fees.", "in progress"),
    ("We are planning a large awareness campaign for the autumn.", "in progress"),
    ("I'm certainly prepared to consider any issues that come up.", "committed"),
    ("I'm certainly not going to allow the issue to be forgotten.", "committed"),
    ("We are keen to extend the offer to the cities.", "committed"),
])
def test_a_ministers_reports_and_undertakings_are_commitments(sentence, signal):
    assert [c.signal for c in coms_of(sentence)] == [signal]


@pytest.mark.parametrize("sentence", [
    "I'm going to respectfully disagree with the ambassador.",
    "When I finish, I'm going to give an opportunity to the other candidate.",
])
def test_going_to_disagree_or_give_the_floor_is_talk(sentence):
    assert coms_of(sentence) == []


@pytest.mark.parametrize("sentence", [
    "The buttons could be shaped like little animals.",  # a design option
    "We would like to actually see the waveform on the screen again.",  # a wish for the team's work
    "Yeah, we just make it round.",  # a proposal in the present tense
    "You make it optional.",
])
def test_a_teams_design_options_and_wishes_are_proposals(sentence):
    doc = make_doc(sentence, label="Project Manager")
    doc.forum, doc.addressee, doc.addressee_we, doc.proposals = "Team meeting", "Team", True, True
    recs, _ = extract(doc)
    assert [(r.cue.split("+")[0], r.actor) for r in recs] == [("team_option", "Team")]


def test_design_options_are_proposals_only_in_a_team_meeting():
    assert recs_of("The buttons could be shaped like little animals.") == []


@pytest.mark.parametrize("sentence", [
    "Let me turn to the reforms that we would like to see in the next budget.",
    "The changes concern new bus routes, which I think all of us would want to see.",
    "The figures come from the audit that we've commissioned from the university.",
    "This follows from each of the motions that I've tabled in the council.",
])
def test_a_cue_inside_a_relative_clause_asks_and_promises_nothing(sentence):
    assert recs_of(sentence) == [] and coms_of(sentence) == []


@pytest.mark.parametrize("sentence,kind", [
    ("The one thing that we need to do is to fund the bus routes.", "rec"),  # a pseudo-cleft asks
    ("I stand by the view that they should fund the bus routes.", "rec"),  # a content clause, not a relative
    ("It is the audit that we will commission next year.", "com"),  # a cleft: the relative asserts
    ("There is the review that we will carry out this spring.", "com"),  # presentational
])
def test_content_clauses_clefts_and_presentational_relatives_still_count(sentence, kind):
    got = recs_of(sentence) if kind == "rec" else coms_of(sentence)
    assert len(got) == 1



def test_an_extraposed_content_clause_is_not_a_relative_clause():
    assert [c.signal for c in coms_of("It is critical for the future of this town that we have opened the bridge.")] == ["done"]


@pytest.mark.parametrize("sentence", [
    "I'm going to be quite blunt and say the pilot was too small.",
    "We are going to discuss in more detail the transport plans.",
    "I'll change the subject now.",
    "I will finish with this: the buses are late.",
    "I hope that we will have an opportunity to talk about the good results.",
    "We'll have our differences later.",
    "So I'll just bring that up and show you the last slide.",
])
def test_the_meetings_own_talk_promised_is_no_commitment(sentence):
    assert coms_of(sentence) == []


def test_a_discussion_planned_outside_the_meeting_is_still_a_commitment():
    assert [c.cue for c in coms_of("We will discuss the topic of water security at a congress in May.")] == ["promise"]


def test_a_line_wrap_inside_a_talk_form_does_not_make_it_a_promise():
    assert coms_of("At the outset, my delegation would like to\nexpress its full support for the statement.") == []


def test_a_generic_you_of_those_answering_a_committee_is_no_recommendation(tmp_path):
    text = ("Jane Roe AM: How do the hubs work with families?\n\nAnn Minister AM: In helping a child you have to "
            "help the parents too.\n\nJohn Doe AM: And the schools?\n\nMary Head: Well, at times you need to be in "
            "the same room as the family.\n\nJane Roe AM: Will you publish the figures? You need to publish the "
            "figures for every hub, Minister.\n\nAnn Minister AM: We will.\n\nJohn Doe AM: When will the hubs "
            "open?\n\nAnn Minister AM: In May.\n")
    path = tmp_path / "committee.txt"
    path.write_text(text, encoding="utf-8")
    doc, recs, _ = process_source(read_source(path))
    assert doc.ministers == ["ann-minister"] and doc.witnesses == ["mary-head"]
    assert [r.text for r in recs] == ["You need to publish the figures for every hub, Minister."]


@pytest.mark.parametrize("sentence", [
    "Clearly, families need more support from us this winter.",
    "Landlords who broke the rules will have to repay the grants.",
])
def test_a_ministers_words_on_what_a_group_needs_or_must_do_are_neither_kind(sentence):
    recs, coms = extract(make_doc(sentence, role="Minister of Housing"))
    assert recs == [] and coms == []


def test_a_ministers_own_course_for_a_group_is_still_their_commitment():
    _, coms = extract(make_doc("For families, we have to do better this winter.", role="Minister of Housing"))
    assert [c.cue for c in coms] == ["own_side"]


@pytest.mark.parametrize("sentence", [
    "Most evenings, as parents, we will check the homework with them.",
    "So we are trying, I think, all of us, to keep the buses running.",
    "Some of us are old enough that we'll have taken the old exams.",
])
def test_an_inclusive_we_promises_nothing(sentence):
    assert coms_of(sentence) == []


def test_the_speakers_side_as_a_body_still_commits():
    assert [c.signal for c in coms_of("As a council, we will publish the figures next week.")] == ["committed"]


@pytest.mark.parametrize("sentence", [
    "By then we will have lost the best teachers to other regions.",
    "By the summer we'll have paid most of the fees twice over.",
])
def test_a_future_perfect_promises_no_act(sentence):
    assert [c for c in coms_of(sentence) if c.cue == "promise"] == []


def test_a_plain_future_is_still_a_promise():
    assert [c.cue for c in coms_of("We will have the new buses running by May.")] == ["promise"]


@pytest.mark.parametrize("s", [
    "We must act now, and we will support the plan; it is important to listen.",
    "We could put the chairs there, maybe what we should do is ask them.",
    "Nothing here.",
])
def test_matches_of_kind_from_a_sentences_views_are_those_of_every_cue(s):
    """``Rules.matches_of_kind`` on a sentence's ``SentenceViews`` gives the cues that match, with
    their matches, as every cue's own regex does; a cue in ``skip`` is left out."""
    from loader.extract import rules_for
    from loader.prefilter import fold
    rules = rules_for(None)
    index = rules.cue_index()
    views = index.views(index.scan(fold(s)), 0, len(s))
    every = dict(enumerate(c.regex for c in rules.all_cues()))
    for kind in range(4):
        want = [(c.name, [m.span() for m in found]) for c, found in rules.matches_of_kind(every, kind, s)]
        got = [(c.name, [m.span() for m in found]) for c, found in rules.matches_of_kind(views or {}, kind, s)]
        assert got == [(name, spans) for name, spans in want if spans]
        skip = rules.flagged("meeting_we")
        kept = [c.name for c, _ in rules.matches_of_kind(every, kind, s, skip)]
        assert kept == [c.name for i, c in enumerate(rules.all_cues()) if c in [x for x, _ in rules.matches_of_kind(every, kind, s)] and i not in skip]


def test_flagged_cues_are_those_whose_attribute_is_true():
    from loader.extract import rules_for
    rules = rules_for(None)
    cues = rules.all_cues()
    for flag in ("meeting_we", "own_side", "not_we_addressee"):
        assert rules.flagged(flag) == {i for i, c in enumerate(cues) if getattr(c, flag)}
    assert rules.flagged("meeting_we") and rules.flagged("own_side")


@pytest.mark.parametrize("words, flags, before, after", [
    (("MP", "Lib.", "Senator"), 0, r"(?<![\w.])", r"(?![\w])"),
    (("Minister", "Secretary of State", "Chair"), re.I, r"(?<!\w)", r"(?!\w)"),
    (("delegation", "delegate", "Ambassador"), re.I, r"\b", r"\b"),
    (("a+b", "(x)", ""), 0, r"\b", r"\b"),  # regex characters are literal; an empty word too
])
@pytest.mark.parametrize("text", [
    "MP for Kent", "Lib. MP", "MPs", "Senator", "Chairman", "Chair of the committee", "the chair",
    "Parliamentary Secretary of State", "delegate", "delegates", "Ambassador (Kenya)", "a+b", "(x) y",
    "", "Lib.", "x.MP", "Secretary", "Minister of Finance", "ambassador",
])
def test_any_word_finds_what_each_words_own_regex_finds(words, flags, before, after, text):
    from loader.extract import _any_word
    each = any(re.search(before + re.escape(w) + after, text, flags) for w in words)
    assert (_any_word(words, flags, before, after).search(text) is not None) == each
