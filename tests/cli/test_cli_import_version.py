"""``python -m geo import``: the review names the version it was made against; storing with ``--based-on``
refuses, as a message, when someone saved in between — nothing is overwritten."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from geo.io.importer import review
from geo.io.store import FileStore

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "io" / "import_corpus" / "good" / "by_name.geojson"


def cli(d: Path, lay: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "import", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={"SCIMAP_DATA_DIR": str(d), "SCIMAP_LAYERS_DIR": str(lay),
                                            "PATH": "/usr/bin:/bin", "HOME": str(d)})


def test_a_stale_review_is_refused_and_a_current_one_stored(data_copy):
    d, lay = data_copy
    first = cli(d, lay, str(GOOD), "--accept-flagged")
    assert first.returncode == 0, first.stderr
    version = re.search(r"--based-on (\w+)", first.stdout)[1]
    store = FileStore(d, lay)
    assert version == store.version("parcels")
    # someone else stores a boundary after the review
    rv = review(GOOD, store.load(), "parcels")
    store.save(rv.accepted(include_flagged=True).iloc[:1], "parcels", "other", "digitised", None)
    before = (d / "parcels.geojson").read_bytes()
    stale = cli(d, lay, str(GOOD), "--apply", "--accept-flagged", "--based-on", version)
    assert stale.returncode == 1 and "changed since your review" in stale.stderr and "Traceback" not in stale.stderr
    assert (d / "parcels.geojson").read_bytes() == before
    again = cli(d, lay, str(GOOD), "--accept-flagged")
    fresh = re.search(r"--based-on (\w+)", again.stdout)[1]
    assert fresh != version
    ok = cli(d, lay, str(GOOD), "--apply", "--accept-flagged", "--based-on", fresh)
    assert ok.returncode == 0 and "stored" in ok.stdout, ok.stderr
