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
