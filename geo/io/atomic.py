"""Atomic file writes: write to a temp file in the target folder, fsync, then rename.

A crash or a bad input half-way never leaves a truncated file where a good one stood.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success rename it over ``path``, else delete it.

    Parameters
    ----------
    path : str or path-like
        The file to write (its folder is created).
    suffix : str, optional
        The temp file's suffix (default: ``path``'s suffix + ``.tmp``), for writers that choose a
        format by it.

    Yields
    ------
    Path
        Not yet existing (writers that refuse existing files, such as GDAL, create it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # let writers that refuse existing files (GDAL) create it
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text atomically.

    Parameters
    ----------
    path : str or path-like
    text : str
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | os.PathLike, obj: Any, indent: int | None = 1) -> None:
    """Write JSON atomically (UTF-8, non-ASCII kept readable, a final newline).

    Parameters
    ----------
    path : str or path-like
    obj : JSON-serialisable
    indent : int or None, default 1
    """
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=indent) + "\n")


def write_csv(path: str | os.PathLike, df: pd.DataFrame) -> None:
    """Write a DataFrame as UTF-8 CSV atomically; missing values stay empty cells (never 0).

    Parameters
    ----------
    path : str or path-like
    df : pandas.DataFrame
    """
    buf = io.StringIO()
    df.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    write_text(path, buf.getvalue())
