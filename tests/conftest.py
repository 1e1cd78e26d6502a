import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data():
    """The shipped data, loaded strictly (any schema error fails the test session)."""
    from geo.io.files import load_all
    return load_all()


@pytest.fixture(scope="session")
def enriched(data):
    from geo.core import join
    return join.projects_enriched(data)


@pytest.fixture(scope="session")
def memberships(data):
    from geo.core import join
    return join.project_memberships(data)


@pytest.fixture()
def data_copy(tmp_path):
    """A writable copy of data/ and layers/ for tests that break things on purpose."""
    d = tmp_path / "data"
    lay = tmp_path / "layers"
    local = shutil.ignore_patterns(".store.lock", "__pycache__", "audit.jsonl*")  # a working copy's, never in a clone
    shutil.copytree(ROOT / "data", d, ignore=local)
    shutil.copytree(ROOT / "layers", lay, ignore=local)
    return d, lay


def pytest_collection_modifyitems(config, items):
    """Tests in `*_browser.py` drive a real Chromium: mark them `browser` (`pytest -m "not browser"` skips them)."""
    for item in items:
        if item.path.name.endswith("_browser.py"):
            item.add_marker(pytest.mark.browser)
