"""Capture README screenshots from a real ``datasette serve`` of the seed, with headless Chromium.

Loads seeds/ into a fresh temporary database, gives a deterministic share of the
recommendations a follow-up status through loader.tracking (the same function the web form
uses; every change is recorded in status_changes as "screenshots"), serves it exactly as
``rectrack serve`` does and saves PNGs of the dashboard, the recommendations table, one
recommendation page, the document page and (signed in with a throwaway password) the review
queue, at 1400x1000 (``<page>.png``) and 1024x768 (``<page>-1024.png``).

Example:
    .venv/bin/python bench/screenshots.py                 # -> docs/screenshots/*.png
    .venv/bin/python bench/screenshots.py --no-statuses   # the seed as loaded (all proposed)
"""
from __future__ import annotations

import argparse
import datetime
import os
import secrets
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import browser_page  # noqa: E402
from loader.cli import load_paths  # noqa: E402
from loader.web import SEEDS, served  # noqa: E402

# i % 10 -> status, for recommendations in id order (ids are hashes: a stable pseudo-random mix).
DEMO_CYCLE = ["proposed", "accepted", "proposed", "in_progress", "implemented", "proposed", "accepted",
              "partially_implemented", "declined", "in_progress"]


def give_statuses(db_path) -> int:
    """Set a deterministic mix of statuses, owners and due dates. Returns the number changed."""
    from loader import tracking

    conn = sqlite3.connect(str(db_path))
    conn.row_factory = sqlite3.Row
    today = datetime.date.today()
    changed = 0
    try:
        rows = conn.execute("SELECT id, version, confidence FROM recommendations ORDER BY id").fetchall()
        lowest = {r["id"] for r in sorted(rows, key=lambda r: (r["confidence"] or 0, r["id"]))[:2]}
        for i, row in enumerate(rows):
            status = "dismissed" if row["id"] in lowest else DEMO_CYCLE[i % len(DEMO_CYCLE)]
            if status == "proposed":
                continue
            changes = {"status": status, "note": "Example status for the README screenshots"}
            if status in ("accepted", "in_progress", "partially_implemented"):
                # Some due dates already passed: the overdue tile and query have something to show.
                changes["due_date"] = (today + datetime.timedelta(days=(i % 7) * 10 - 25)).isoformat()
                changes["owner"] = ["Policy unit", "Mission liaison", "Secretariat desk"][i % 3]
            tracking.update_recommendation(conn, row["id"], changes, row["version"], {"id": "screenshots"})
            changed += 1
    finally:
        conn.close()
    return changed


def give_reviews(db_path, every: int = 6) -> int:
    """Mark every ``every``-th recommendation (id order) as reviewed, as "screenshots". Returns how many."""
    from loader import review

    conn = sqlite3.connect(str(db_path))
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT id, version FROM recommendations WHERE reviewed_at IS NULL "
                            "ORDER BY id").fetchall()[::every]
        for row in rows:
            review.update_item(conn, row["id"], {"reviewed": True}, row["version"], {"id": "screenshots"})
    finally:
        conn.close()
    return len(rows)


def pick_recommendation(db_path) -> str | None:
    """A recommendation worth showing: a named actor, a status set, a commitment, a short turn."""
    conn = sqlite3.connect(str(db_path))
    try:
        row = conn.execute(
            "SELECT r.id FROM recommendations r JOIN turns t ON t.id = r.turn_id WHERE r.status != 'dismissed' "
            "ORDER BY r.actor_id = 'unspecified', r.status = 'proposed', "
            "NOT EXISTS (SELECT 1 FROM commitments c WHERE c.recommendation_id = r.id), "
            "length(t.text), r.char_start LIMIT 1"
        ).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


SIZES = [(1400, 1000), (1024, 768)]  # a desktop window and a laptop


def capture(db_path, out: Path, width=1400, height=1000, suffix="") -> list[Path]:
    """PNGs of the dashboard, the recommendations table, one recommendation and the document page
    at ``width`` x ``height``, named ``<page><suffix>.png`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(db_path))
    doc_id = conn.execute("SELECT id FROM documents ORDER BY event_date, id").fetchone()[0]
    conn.close()
    rec_id = pick_recommendation(db_path)
    saved = []
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    from datasette_auth_passwords.utils import hash_password

    password = secrets.token_hex(12)  # a throwaway sign-in, for the review queue only
    env = {**os.environ, "RECTRACK_PASSWORD_HASH_ADMIN": hash_password(password, iterations=1000)}

    def shot(name, full_page):
        saved.append(out / f"{name}{suffix}.png")
        page.screenshot(path=str(saved[-1]), full_page=full_page)

    with served(db_path, env=env) as base, browser_page(chromium, viewport=(width, height)) as (page, errors):
        page.set_default_timeout(20000)
        page.goto(base + "/-/rectrack/dashboard", wait_until="networkidle")
        if page.locator("#chart-actor").count():
            page.wait_for_selector("#chart-actor svg .mark-rect path", state="attached")
        page.wait_for_timeout(300)
        shot("dashboard", True)

        # The table as an analyst first sees it, scrolled to the rows.
        page.goto(base + "/rectrack/recommendations?status__not=dismissed", wait_until="networkidle")
        page.locator("table.rows-and-columns").evaluate(
            "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 60)")
        page.wait_for_timeout(200)
        shot("recommendations", False)

        if rec_id:
            page.goto(base + f"/-/rectrack/recommendations/{rec_id}", wait_until="networkidle")
            shot("recommendation", True)

        page.goto(base + f"/-/rectrack/documents/{doc_id}", wait_until="networkidle")
        # A window-sized view around the first commitment (recommendations usually lead up to
        # it), else the first recommendation; the whole transcript is very long.
        target = page.locator("article.transcript mark.commitment").first
        offset = 420
        if not target.count():
            target, offset = page.locator("article.transcript mark.rec").first, 200
        if target.count():
            target.evaluate(f"e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - {offset})")
        page.wait_for_timeout(200)
        shot("document", False)

        page.goto(base + "/-/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_load_state()
        page.goto(base + f"/-/rectrack/review?document={doc_id}", wait_until="networkidle")
        shot("review", False)
        if errors:
            raise RuntimeError(f"console errors: {errors}")
    return saved


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--db", help="use this database instead of loading seeds/ into a temporary one")
    parser.add_argument("--no-statuses", action="store_true", help="do not set example statuses")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            db_path = Path(args.db)
        else:
            db_path = Path(tmp) / "rectrack.db"
            totals, errors = load_paths(db_path, [SEEDS], progress=False)
            if errors:
                raise SystemExit(f"loading the seed failed: {errors}")
            print(f"Loaded seed: {totals['recommendations']} recommendations, {totals['commitments']} commitments")
            if not args.no_statuses:
                print(f"Example statuses set on {give_statuses(db_path)} recommendations")
                print(f"Example reviews on {give_reviews(db_path)} recommendations")
        for width, height in SIZES:
            suffix = "" if (width, height) == SIZES[0] else f"-{width}"
            for path in capture(db_path, Path(args.out), width, height, suffix):
                print(f"Saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({width}x{height})")


if __name__ == "__main__":
    main()
