"""The throwaway PostGIS cluster of the tests never turns into a skip: when it cannot start (here: no PostgreSQL
programs where it looks), a test that needs it errors with the reason, and nothing is left behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tests.postgis_cluster as pc

ROOT = Path(__file__).resolve().parents[2]


def test_a_cluster_that_cannot_start_says_why_and_leaves_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "cluster"
    monkeypatch.setattr(pc, "_bindir", lambda: tmp_path / "no_postgresql" / "bin")
    monkeypatch.setattr(pc.tempfile, "mkdtemp", lambda prefix: str(folder.mkdir() or folder))
    with pytest.raises(RuntimeError, match="initdb failed"):
        pc.start_cluster()
    assert not folder.exists()


def test_a_test_needing_postgis_errors_never_skips_when_the_cluster_cannot_start(tmp_path):
    (tmp_path / "conftest.py").write_text(
        "import tests.postgis_cluster as pc\n"
        "from tests.postgis_cluster import postgis_cluster, postgis_url  # noqa: F401\n"
        "pc._bindir = lambda: __import__('pathlib').Path('/nonexistent/bin')\n", encoding="utf-8")
    (tmp_path / "test_needs_db.py").write_text("def test_needs(postgis_url):\n    assert postgis_url\n",
                                               encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                        str(tmp_path / "test_needs_db.py")], cwd=tmp_path, capture_output=True, text=True,
                       timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "CI": "true"})
    assert r.returncode == 1, r.stdout[-2000:]
    assert "the PostGIS test cluster cannot start" in r.stdout and "1 error" in r.stdout and "skipped" not in r.stdout
