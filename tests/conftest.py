import json
import os
import shutil
from pathlib import Path

import pytest

from loader.cli import load_paths
from loader.web import SEEDS, make_datasette

FIXTURES = Path(__file__).parent / "fixtures"
GOLD = FIXTURES / "gold"
SEED_FILE = SEEDS / "000_59fee67576fde5b5.txt"


def gold(name):
    return json.loads((GOLD / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_db_session(tmp_path_factory):
    """A database with the seed loaded once per session (read-only tests)."""
    path = tmp_path_factory.mktemp("seed") / "rectrack.db"
    totals, errors = load_paths(path, [SEEDS], progress=False)
    assert not errors, errors
    return path


@pytest.fixture
def seed_db(seed_db_session, tmp_path):
    """A private copy of the seed database for tests that write."""
    path = tmp_path / "rectrack.db"
    shutil.copy(seed_db_session, path)
    return path


@pytest.fixture
def ds(seed_db):
    return make_datasette(seed_db)


@pytest.fixture(scope="session")
def chromium_path():
    """Debian's chromium; skipped locally when absent, a failure in CI (RECTRACK_REQUIRE_BROWSER=1)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("RECTRACK_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("chromium not installed")
    return path
