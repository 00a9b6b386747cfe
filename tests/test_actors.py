"""Actors as entities: the specific actor as named, the group it rolls up to and its kind
(loader/actors.py); several actors asked at once; phrases that are no name; and how they are
stored (actors.actor_group, recommendations.actor_group, recommendation_actors), faceted and kept
across reloads and in old databases. Every sentence here is made up for the test."""
import sqlite3

import pytest
from click.testing import CliRunner

from loader import review, store, tracking
from loader.actors import display_names, is_name, names_group
from loader.cli import cli
from loader.evaluate import score_recommendations
from loader.extract import extract, rules_for
from loader.lexicon import load_lexicon
from loader.web import make_datasette
from test_extract import make_doc




def recs_of(*speeches, **kw):
    return extract(make_doc(*speeches, **kw))[0]


# ---------------------------------------------------------------- the specific actor and its group


@pytest.mark.parametrize("sentence,actor,group,kind", [
    ("UNIFIL must step up its patrols along the border.", "UNIFIL", "Peacekeeping Missions", "mission"),
    ("The mission should step up its patrols.", "Peacekeeping Missions", "Peacekeeping Missions", "mission"),
    ("Peacekeepers have to report every incident.", "Peacekeeping Missions", "Peacekeeping Missions", "mission"),
    ("The Welsh Government must fund the new bus passes.", "Welsh Government", "Government", "government"),
    ("The Welsh\n   Government must fund the new bus passes.", "Welsh Government", "Government", "government"),
    ("The Minister for Housing should publish the figures monthly.", "Minister for Housing", "Government",
     "government"),
    ("The Government of Ruritania must release the prisoners.", "Government of Ruritania", "Government",
     "government"),
    ("The Scottish Government should follow the same path.", "Scottish Government", "Government", "government"),
    ("The Minister should publish the figures monthly.", "Government", "Government", "government"),
    ("The Fifth Committee should approve the budget without delay.", "Fifth Committee", "Committee", "legislature"),
    ("UNSC members ought to visit the camps.", "Security Council", "Security Council", "UN organ"),
    ("The Council must renew the mandate.", "Security Council", "Security Council", "UN organ"),
    ("UNICEF should lead the vaccination drive.", "UNICEF", "UN Secretariat", "UN secretariat"),
    ("The Prime Minister must answer for the delay.", "Prime Minister", "Government", "government"),
    ("Ruritania must withdraw its troops.", "Ruritania", "Ruritania", None),
    ("Norway must pay its assessed contributions.", "Norway", "Norway", "member state"),
])
def test_specific_actor_group_and_kind(sentence, actor, group, kind):
    [rec] = recs_of(sentence)
    assert (rec.actor, rec.actor_group, rec.actor_kind) == (actor, group, kind)


def test_a_state_a_delegate_names_rolls_up_to_the_member_states():
    [rec] = recs_of("We call on Norway to pay its assessed contributions in full.", role="Ruritania")
    assert (rec.actor, rec.actor_group, rec.actor_kind, rec.actor_text) == (
        "Norway", "Member States", "member state", "Norway")


def test_scoring_compares_groups():
    """Actor accuracy is judged at the group level: "UNIFIL" is right where the gold says Peacekeeping Missions."""
    doc = make_doc("UNIFIL must step up its patrols along the border.")
    recs, _ = extract(doc)
    quote = "UNIFIL must step up its patrols along the border."
    gold = [{"id": "g1", "quote": quote, "actor": "Peacekeeping Missions"}]
    assert score_recommendations(doc, recs, gold)["actor_accuracy"] == 1.0
    gold = [{"id": "g1", "quote": quote, "actor": "Security Council"}]
    assert score_recommendations(doc, recs, gold)["actor_accuracy"] == 0.0


def test_the_set_of_actors_is_scored_against_actors_all():
    quote = "The Council and troop contributors must agree on the rules of engagement."
    doc = make_doc(quote)
    recs, _ = extract(doc)
    both = {"id": "g1", "quote": quote, "actor": "Security Council",
            "actors_all": ["Security Council", "troop-contributing countries"]}
    assert score_recommendations(doc, recs, [both])["actor_set_accuracy"] == 1.0
    first_only = {"id": "g1", "quote": quote, "actor": "Security Council"}
    got = score_recommendations(doc, recs, [first_only])
    assert (got["actor_accuracy"], got["actor_set_accuracy"]) == (1.0, 0.0)


@pytest.mark.parametrize("alias,group,same", [
    ("the mission", "Peacekeeping Missions", True),
    ("the Ministry", "Ministry of Health", True),
    ("MoH", "Ministry of Health", True),
    ("UNSC", "Security Council", True),
    ("MINUSCA", "Peacekeeping Missions", False),
    ("NHS", "Health Services", False),
    ("Welsh Government", "Government", False),
])
def test_which_aliases_name_the_group_itself(alias, group, same):
    assert names_group(alias, group) is same


def test_display_names_keep_the_lexicons_spelling_without_the_article():
    names = display_names({"Government": {"aliases": ["the Prime Minister", "Cabinet", "the government"],
                                          "group_aliases": ["Cabinet"]}})
    assert names == {"government": None, "the prime minister": "Prime Minister", "cabinet": None,
                     "the government": None}


# ---------------------------------------------------------------- several actors asked at once


@pytest.mark.parametrize("sentence,names", [
    ("The Council and troop contributors must agree on the rules of engagement.",
     ["Security Council", "Troop and Police Contributors"]),
    ("Member States and the Secretariat should share the casualty data.", ["Member States", "UN Secretariat"]),
    ("We urge the Government, local authorities and schools to publish their plans.",
     ["Government", "Local Authorities", "Schools and Educators"]),
    ("Israel and Lebanon must respect the ceasefire.", ["Israel", "Lebanon"]),
    # the preposition said again before each ("by X and by Y"), a body's people, "its" members
    ("The plan should be monitored by the Assembly and by the parties to the conflict.",
     ["General Assembly", "Parties to Conflict"]),
    ("Funding from the private sector and from NGOs is vital.", ["Private Sector", "Civil Society"]),
    ("We invite the committee and members of the Secretariat to draft the terms.", ["Committee", "UN Secretariat"]),
    ("There must be dialogue between the Council and its troop contributors.",
     ["Security Council", "Troop and Police Contributors"]),
    ("The Council must ask the Secretariat for a report.", ["Security Council"]),
])
def test_every_actor_asked_the_first_is_the_main_one(sentence, names):
    [rec] = recs_of(sentence)
    assert [a.name for a in rec.actors] == names
    assert rec.actor == names[0]


# ---------------------------------------------------------------- no fragments as actors


@pytest.mark.parametrize("name,ok", [
    ("member of the", False), ("your moderator", False), ("Your Excellency", False), ("they", False),
    ("the", False), ("Those", False), ("of", False), ("", False), ("Secretary of", False),
    ("Fifth Committee", True), ("Norway", True), ("Office of Legal Affairs", True), ("MINUSCA", True),
])
def test_is_name(name, ok):
    assert is_name(name) is ok


def test_a_phrase_that_is_no_name_is_unspecified():
    [rec] = recs_of("Your Excellency must reconsider the ruling before Friday.")
    assert (rec.actor, rec.actor_group) == ("Unspecified", "Unspecified")


def test_a_phrase_that_is_no_name_takes_the_meetings_addressee():
    [rec] = recs_of("Your Excellency must reconsider the ruling before Friday.", addressee="Welsh Government")
    assert (rec.actor, rec.actor_group) == ("Welsh Government", "Government")
    assert rec.cue.endswith("+addressee")


# ---------------------------------------------------------------- storing, facets, reloads, old databases


TRANSCRIPT = """Chair: Thank you all for coming.

Ms. Rivera (Ruritania): UNIFIL must step up its patrols along the border. The Council and troop contributors must agree on the rules of engagement.

Mr. Okafor (Norway): MINUSCA should protect the displaced families in the camps.
"""


def load(tmp_path, text=TRANSCRIPT):
    path = tmp_path / "meeting.txt"
    path.write_text(text, encoding="utf-8")
    db = tmp_path / "rectrack.db"
    result = CliRunner().invoke(cli, ["load", str(path), "--db", str(db), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return db


def rows(db, sql, *params):
    c = sqlite3.connect(db)
    try:
        return c.execute(sql, params).fetchall()
    finally:
        c.close()


def test_stored_actor_group_and_every_link(tmp_path):
    db = load(tmp_path)
    assert set(rows(db, "SELECT name, actor_group, kind FROM actors WHERE id IN ('unifil', 'minusca')")) == {
        ("UNIFIL", "Peacekeeping Missions", "mission"), ("MINUSCA", "Peacekeeping Missions", "mission")}
    assert sorted(rows(db, "SELECT actor_id, actor_group FROM recommendations")) == [
        ("minusca", "Peacekeeping Missions"), ("security-council", "Security Council"),
        ("unifil", "Peacekeeping Missions")]
    links = rows(db, "SELECT ra.actor_id, ra.position FROM recommendation_actors ra JOIN recommendations r "
                     "ON r.id = ra.recommendation_id WHERE r.actor_id = 'security-council' ORDER BY ra.position")
    assert links == [("security-council", 0), ("troop-and-police-contributors", 1)]


@pytest.mark.asyncio
async def test_actor_group_is_a_facet(tmp_path):
    db = load(tmp_path)
    ds = make_datasette(db)  # as rectrack serve runs it (metadata.yml's facets)
    data = (await ds.client.get("/rectrack/recommendations.json?_size=0")).json()
    counts = {f["value"]: f["count"] for f in data["facet_results"]["actor_group"]["results"]}
    assert counts == {"Peacekeeping Missions": 2, "Security Council": 1}
    data = (await ds.client.get("/rectrack/recommendations_by_actor.json?_size=0")).json()
    counts = {f["value"]: f["count"] for f in data["facet_results"]["actor_group"]["results"]}
    assert counts == {"Peacekeeping Missions": 2, "Security Council": 1, "Troop and Police Contributors": 1}


@pytest.mark.asyncio
async def test_the_recommendation_page_names_the_group(tmp_path):
    db = load(tmp_path)
    [(unifil,)] = rows(db, "SELECT id FROM recommendations WHERE actor_id = 'unifil'")
    [(council,)] = rows(db, "SELECT id FROM recommendations WHERE actor_id = 'security-council'")
    ds = make_datasette(db)
    html = (await ds.client.get(f"/-/rectrack/recommendations/{unifil}")).text
    assert "UNIFIL (mission), one of the Peacekeeping Missions" in html
    html = (await ds.client.get(f"/-/rectrack/recommendations/{council}")).text
    assert "Security Council (UN organ); Troop and Police Contributors (member states)" in html
    assert "one of the Security Council" not in html
    data = (await ds.client.get(f"/-/rectrack/recommendations/{council}.json")).json()
    assert [(a["name"], a["group"], a["position"]) for a in data["actors"]] == [
        ("Security Council", "Security Council", 0), ("Troop and Police Contributors", "Troop and Police Contributors", 1)]
    assert data["recommendation"]["actor_group"] == "Security Council"


def test_a_corrected_actor_and_its_group_survive_a_reload(tmp_path):
    db = load(tmp_path)
    conn = store.connect(db)
    try:
        rid = conn.execute("SELECT id FROM recommendations WHERE actor_id = 'unifil'").fetchone()[0]
        version = tracking.get_record(conn, rid)["version"]
        review.update_item(conn, rid, {"actors": ["Security Council", {"name": "Local Mayors", "kind": "government"}]},
                           version, "ana")
        assert conn.execute("SELECT actor_group FROM recommendations WHERE id = ?", (rid,)).fetchone()[0] == \
            "Security Council"
    finally:
        conn.close()
    load(tmp_path, TRANSCRIPT.replace("Thank you all", "Thank you very much all"))  # shifted, re-extracted
    assert rows(db, "SELECT actor_id, actor_group FROM recommendations WHERE id = ?", rid) == [
        ("security-council", "Security Council")]
    assert rows(db, "SELECT actor_id FROM recommendation_actors WHERE recommendation_id = ? ORDER BY position",
                rid) == [("security-council",), ("local-mayors",)]
    assert rows(db, "SELECT actor_group FROM actors WHERE id = 'local-mayors'") == [("Local Mayors",)]


def test_links_follow_the_extractor_when_nobody_corrected_them(tmp_path):
    db = load(tmp_path, TRANSCRIPT.replace("The Council and troop contributors must", "The Council must"))
    sql = ("SELECT ra.actor_id FROM recommendation_actors ra JOIN recommendations r ON r.id = ra.recommendation_id "
           "WHERE r.actor_id = 'security-council' ORDER BY ra.position")
    assert rows(db, sql) == [("security-council",)]
    load(tmp_path)
    assert rows(db, sql) == [("security-council",), ("troop-and-police-contributors",)]


def test_old_database_gets_groups(tmp_path):
    """A database from before actor groups: each stored actor (a lexicon name then) is its own group."""
    db = load(tmp_path)
    c = sqlite3.connect(db)
    with c:
        c.execute("DROP VIEW recommendations_by_actor")
        for (trigger,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                    "AND name LIKE 'recommendation_counts%'").fetchall():  # they name actor_group
            c.execute(f"DROP TRIGGER {trigger}")
        c.execute("ALTER TABLE recommendations DROP COLUMN actor_group")
        c.execute("ALTER TABLE actors DROP COLUMN actor_group")
        c.execute("UPDATE actors SET name = 'Peacekeeping Missions' WHERE id = 'unifil'")
    c.close()
    store.connect(db).close()
    assert rows(db, "SELECT actor_group FROM actors WHERE id = 'unifil'") == [("Peacekeeping Missions",)]
    assert rows(db, "SELECT count(*) FROM recommendations WHERE actor_group IS NULL") == [(0,)]
    assert rows(db, "SELECT DISTINCT actor_group FROM recommendations_by_actor WHERE actor_id = 'security-council'") \
        == [("Security Council",)]


def test_user_lexicon_groups(tmp_path):
    user = tmp_path / "my.yml"
    user.write_text("actors:\n  Ministry of Health:\n    kind: government\n"
                    "    aliases: [the Ministry, MoH, Public Health Wales]\n", encoding="utf-8")
    lexicon = load_lexicon([user])
    rules_for(lexicon)
    recs = extract(make_doc("MoH must fund every rural clinic.", "Public Health Wales should test every school."),
                   lexicon)[0]
    assert [(r.actor, r.actor_group) for r in recs] == [
        ("Ministry of Health", "Ministry of Health"), ("Public Health Wales", "Ministry of Health")]
