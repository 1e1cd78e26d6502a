"""FileStore.checkout — what the CLI and the app review and save against: recovery first (and what it did),
the versions read before the data; a change stored by someone else after the checkout makes the save a conflict."""

from __future__ import annotations

import pytest

from geo.io.store import ConflictError, FileStore
from tests.io.stored import data_files
from tests.io.test_store_faults import TARGET, assert_consistent, kill_during_save, moved


def test_checkout_recovers_then_reads_versions_and_data(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    kill_during_save(d, lay, "history", "parcels", moved(fs))
    co = fs.checkout()
    assert len(co.recovered) == 1 and "was finished: data and history agree" in co.recovered[0]
    assert co.versions == {"parcels": fs.version("parcels"), "zones": fs.version("zones")}
    assert list(fs.history().who) == ["killed"]
    stored = co.data.parcels.set_index("project_id").geometry[TARGET]
    assert stored.equals(fs.load().parcels.set_index("project_id").geometry[TARGET])
    assert fs.checkout().recovered == []
    assert_consistent(fs)


def test_a_save_after_someone_elses_is_a_conflict(data_copy):
    d, lay = data_copy
    fs = FileStore(d, lay)
    co = fs.checkout()
    FileStore(d, lay).save(moved(fs, d=0.0002), "parcels", "other", "surveyed", co.versions["parcels"])
    before = data_files(d, lay)
    with pytest.raises(ConflictError, match=f"you had {co.versions['parcels']}"):
        fs.save(moved(fs), "parcels", "me", "surveyed", co.versions["parcels"])
    assert data_files(d, lay) == before
    fs.save(moved(fs), "parcels", "me", "surveyed", fs.checkout().versions["parcels"])
    assert list(fs.history().who) == ["other", "me"]
