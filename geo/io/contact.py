"""The promoter's contact block printed on fact sheets, read from its JSON file.

The file (``geo.config.Settings.contact_file``: ``SCIMAP_CONTACT_FILE`` or ``config/contact.json``)
holds ``{"zh": {...}, "en": {...}}`` (or one block for both languages) with the keys org, person,
phone, email and address; promoters fill it in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geo import config


def load_contact(path: str | Path | None = None) -> dict[str, Any]:
    """The contact block, or an empty one when the file is missing or not valid JSON.

    Parameters
    ----------
    path : str or Path, optional
        The file; by default the configured ``contact_file``.

    Returns
    -------
    dict
    """
    path = Path(path) if path is not None else Path(config.settings().contact_file)
    try:
        out = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return out if isinstance(out, dict) else {}
