import pytest


@pytest.mark.asyncio
async def test_tables_served(ds):
    response = await ds.client.get("/rectrack.json")
    assert response.status_code == 200
    names = {t["name"] for t in response.json()["tables"]}
    assert {"documents", "turns", "recommendations", "speakers"} <= names


@pytest.mark.asyncio
async def test_turns_json_and_fts(ds):
    response = await ds.client.get("/rectrack/turns.json?_search=civilians&_shape=array")
    assert response.status_code == 200
    assert len(response.json()) > 5


@pytest.mark.asyncio
async def test_metadata_descriptions(ds):
    html = (await ds.client.get("/rectrack/recommendations")).text
    assert "Recommendations extracted from the turns" in html


@pytest.mark.asyncio
async def test_table_pages_get_compact_column_descriptions(ds):
    html = (await ds.client.get("/rectrack/recommendations")).text
    assert '<dl class="column-descriptions">' in html
    assert 'href="/rectrack-static/tables.css"' in html
    css = await ds.client.get("/rectrack-static/tables.css")
    assert css.status_code == 200 and "dl.column-descriptions" in css.text


@pytest.mark.asyncio
async def test_any_database_file_name_gets_the_metadata(seed_db_session, tmp_path):
    """`rectrack serve --db work.db` serves `work` with the same descriptions and canned queries."""
    import shutil

    from loader.web import make_datasette, metadata_for

    work = tmp_path / "work.db"
    shutil.copy(seed_db_session, work)
    assert "work" in metadata_for(work)["databases"] and "rectrack" not in metadata_for(work)["databases"]
    ds = make_datasette(work)
    html = (await ds.client.get("/work/recommendations")).text
    assert "Recommendations extracted from the turns" in html
    response = await ds.client.get("/work/status_by_actor.json?_shape=array")
    assert response.status_code == 200 and response.json()
