"""What a test compares to say "nothing stored changed": the bytes of every data file, never the store's lock.

The lock file (:attr:`geo.io.store.FileLayout.LOCK`) is created by the first change or checkout and holds no
data; a fresh clone has none, a working copy that ran the app has one. Comparing it would make a test pass or
fail depending on where it runs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from geo.io.store import FileLayout


def data_files(*folders: Path) -> dict[str, bytes]:
    """Every data file under `folders` (relative name → bytes), the lock file left out."""
    return {str(f.relative_to(folder.parent)): f.read_bytes() for folder in folders for f in sorted(folder.rglob("*"))
            if f.is_file() and f.name != FileLayout.LOCK}


def digest(*folders: Path) -> str:
    """One SHA-256 over :func:`data_files` of `folders`: equal digests mean byte-identical stored data."""
    h = hashlib.sha256()
    for name, content in data_files(*folders).items():
        h.update(name.encode())
        h.update(content)
    return h.hexdigest()
