"""Where the project's data lives (overridable for tests on copies)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SCIMAP_DATA_DIR", ROOT / "data"))
LAYERS_DIR = Path(os.environ.get("SCIMAP_LAYERS_DIR", ROOT / "layers"))
SRC_DIR = DATA_DIR / "src"


def _reference_dir() -> Path:
    env = os.environ.get("SCIMAP_REFERENCE_DIR")
    if env:
        return Path(env)
    vendored = ROOT / "data" / "reference"
    return vendored if vendored.exists() else ROOT.parent / "shared" / "reference"


REFERENCE_DIR = _reference_dir()
