"""Nothing hangs on the store's lock: a writer that is stuck (stopped mid-save, holding the lock) makes a change
wait at most STORE_LOCK_WAIT_S and then refuse with a message, changing nothing; recovery on load returns at
once (the live writer's change is not touched); once the writer is killed the lock is free and recovery
finishes its change."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from shapely.geometry import mapping

from geo import config, i18n
from geo.io.store import FileStore, StoreBusy
from tests.io.stored import data_files
from tests.io.test_store_faults import CHILD, ROOT, assert_consistent, moved


def _stuck_writer(d, lay, change) -> subprocess.Popen:
    """A save stopped after appending its history, holding the lock (the fault point of the kill tests)."""
    rows = [[t, mapping(g)] for t, g in zip(change.target_id, change.geometry, strict=True)]
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT)), "history", str(d), str(lay),
                              "parcels", json.dumps(rows)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=ROOT)
    line = child.stdout.readline()
    assert line.strip() == "ready", (line, child.stderr.read() if child.poll() is not None else "")
    return child


def test_a_stuck_writer_makes_changes_refuse_in_time_and_recovery_return(data_copy, monkeypatch):
    d, lay = data_copy
    monkeypatch.setattr(config, "STORE_LOCK_WAIT_S", 0.5)
    fs = FileStore(d, lay)
    change, mine = moved(fs), moved(fs, d=0.0008)
    child = _stuck_writer(d, lay, change)
    try:
        before = data_files(d, lay)
        t0 = time.monotonic()
        assert fs.recover() == []  # a live writer holds the lock: nothing to recover, and no wait for it
        assert time.monotonic() - t0 < config.STORE_RECOVER_WAIT_S + 2
        assert list(fs.history().who) == []  # its records are pending: they claim nothing yet
        assert any("interrupted" in p for p in fs.history_problems())
        t0 = time.monotonic()
        with pytest.raises(StoreBusy) as e:
            fs.save(mine, "parcels", "me", "surveyed", None)
        assert time.monotonic() - t0 < 5
        assert str(e.value) == ".store.lock is held by another change for more than 0.5 s: nothing was changed, " \
                               "try again"
        assert i18n.message(str(e.value), "zh") == ".store.lock 被另一次修改占用超过 0.5 秒：未做任何修改，请重试"
        with pytest.raises(StoreBusy):
            fs.undo("nothing", "me")
        assert data_files(d, lay) == before
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    done = fs.recover()  # the writer died: the lock is free and its change is finished
    assert len(done) == 1 and "was finished: data and history agree" in done[0]
    assert list(fs.history().who) == ["killed"]
    fs.save(mine, "parcels", "me", "surveyed", fs.version("parcels"))
    assert list(fs.history().who) == ["killed", "me"]
    assert_consistent(fs)
