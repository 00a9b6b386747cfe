"""Does datasette-dashboards run on Datasette 0.65.5 with rectrack's database, and keep clickable marks?

Run it in a separate virtualenv, so the plugin (and the datasette-leaflet and
datasette-render-markdown it pulls in) never loads into rectrack's own tests:

    python3 -m venv /tmp/dd && /tmp/dd/bin/pip install -e . datasette-dashboards==0.8.0
    .venv/bin/python bench/datasette_dashboards_eval.py --datasette /tmp/dd/bin/datasette --db rectrack.db

It serves the database with a one-chart datasette-dashboards config (status by actor, every
bar with an ``href`` computed in SQL), opens /-/dashboards/rectrack in headless Chromium,
counts the bars, lists console errors and off-site requests, and clicks a bar.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import browser_page  # noqa: E402
from loader.web import free_port, metadata_for, serve_args  # noqa: E402

# The link has to be spelled out in SQL: the plugin cannot call datasette.urls.
CHART_SQL = (
    "select coalesce(a.name, r.actor_id) as actor, r.status, count(*) as n, "
    "'/{db}/recommendations?actor_id=' || r.actor_id || '&status=' || r.status as href "
    "from recommendations r left join actors a on a.id = r.actor_id where r.status != 'dismissed' "
    "group by r.actor_id, r.status")


def dashboards_config(db_name: str) -> dict:
    return {"rectrack": {
        "title": "rectrack", "description": "Status by actor", "layout": [["by-actor"]],
        "charts": {"by-actor": {
            "title": "Status by actor", "db": db_name, "library": "vega-lite", "query": CHART_SQL.format(db=db_name),
            "display": {"mark": {"type": "bar", "cursor": "pointer", "tooltip": True},
                        "encoding": {"y": {"field": "actor", "type": "nominal"},
                                     "x": {"field": "n", "type": "quantitative"},
                                     "color": {"field": "status", "type": "nominal"},
                                     "href": {"field": "href"}}}}}}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasette", required=True, help="datasette executable of a venv with datasette-dashboards")
    parser.add_argument("--db", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    metadata = metadata_for(args.db)
    metadata.setdefault("plugins", {})["datasette-dashboards"] = dashboards_config(Path(args.db).stem)
    with tempfile.TemporaryDirectory() as tmp:
        md_path = Path(tmp) / "metadata.json"
        md_path.write_text(json.dumps(metadata))
        serve = serve_args(args.db)
        serve[serve.index("--metadata") + 1] = str(md_path)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([args.datasette, "serve", args.db, *serve, "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(150):
                try:
                    versions = json.loads(urllib.request.urlopen(base + "/-/versions.json").read())
                    break
                except OSError:
                    time.sleep(0.2)
            plugins = json.loads(urllib.request.urlopen(base + "/-/plugins.json").read())
            print("datasette", versions["datasette"]["version"], "plugins:", ", ".join(
                f"{p['name']} {p.get('version') or ''}".strip() for p in plugins))
            with browser_page(args.chromium, viewport=(1400, 1000)) as (page, errors):
                requests = []
                page.on("request", lambda r: requests.append(r.url))
                page.goto(base + "/-/dashboards/rectrack", wait_until="networkidle")
                page.wait_for_timeout(1500)
                marks = page.locator("#chart-by-actor svg .mark-rect path, #chart-by-actor canvas").count()
                print("bars drawn:", marks, "| console errors:", errors or "none",
                      "| off-site requests:", [u for u in requests if not u.startswith(base)] or "none")
                box = page.locator("#chart-by-actor canvas, #chart-by-actor svg").first.bounding_box()
                for dx in range(150, int(box["width"]) - 10, 15):
                    page.mouse.click(box["x"] + dx, box["y"] + 20)
                    page.wait_for_timeout(300)
                    if "/recommendations?" in page.url:
                        break
                print("clicking a bar opened:", page.url.replace(base, ""))
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
