"""What a test compares to say "nothing stored changed": the bytes of every data file, never the store's lock.

The lock file (:attr:`geo.io.store.FileLayout.LOCK`) is created by the first change or checkout and holds no
data; a fresh clone has none, a working copy that ran the app has one. Comparing it would make a test pass or
fail depending on where it runs.

The audit trail (:data:`geo.config.AUDIT_FILE_NAME` and its lock) is left out too: it is not plan data but the
record of what was done to it (it lives in the data folder by default so that it follows ``SCIMAP_DATA_DIR``).
A refused import stores nothing and records nothing (only what was done is recorded), which
``tests/cli/test_cli_audit.py`` checks on its own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from geo.config import AUDIT_FILE_NAME
from geo.io.store import FileLayout

NOT_DATA = (FileLayout.LOCK, AUDIT_FILE_NAME, AUDIT_FILE_NAME + ".lock")


def data_files(*folders: Path) -> dict[str, bytes]:
    """Every data file under `folders` (relative name → bytes), the lock file and the audit trail left out."""
    return {str(f.relative_to(folder.parent)): f.read_bytes() for folder in folders for f in sorted(folder.rglob("*"))
            if f.is_file() and f.name not in NOT_DATA}


def digest(*folders: Path) -> str:
    """One SHA-256 over :func:`data_files` of `folders`: equal digests mean byte-identical stored data."""
    h = hashlib.sha256()
    for name, content in data_files(*folders).items():
        h.update(name.encode())
        h.update(content)
    return h.hexdigest()
