"""The promoter's contact block printed on fact sheets, read from its JSON file.

The file (``geo.config.Settings.contact_file``: ``SCIMAP_CONTACT_FILE`` or ``config/contact.json``)
holds ``{"zh": {...}, "en": {...}}`` (or one block for both languages) with the text keys org, person,
phone, email and address; promoters fill it in. A file of another shape is read as far as it is
right, and every problem is named (file, key, what is wrong) by :func:`read_contact`.
"""

from __future__ import annotations

import json
from pathlib import Path

from geo import config

KEYS = config.CONTACT_KEYS
LANGS = ("zh", "en")
MAX_BYTES = 64 * 1024
"""A contact file larger than this is not read (it is a few lines)."""
MAX_CHARS = 300
"""A longer line is cut (a fact sheet has room for one line each)."""


def _block(raw: object, where: str, problems: list[str]) -> dict[str, str]:
    """The text lines of one block; other keys and non-text values are reported and left out."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: is {type(raw).__name__}, not an object of {', '.join(KEYS)}")
        return {}
    out = {}
    for k, v in raw.items():
        if k not in KEYS:
            problems.append(f"{where}: unknown key {str(k)[:40]!r} (use {', '.join(KEYS)})")
        elif v is None or v == "":
            continue
        elif not isinstance(v, str):
            problems.append(f"{where}.{k}: is {type(v).__name__}, not text")
        else:
            out[k] = v[:MAX_CHARS]
    return out


def read_contact(path: str | Path | None = None) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The contact block per language and what is wrong with the file.

    Parameters
    ----------
    path : str or Path, optional
        The file; by default the configured ``contact_file``.

    Returns
    -------
    contact : dict
        ``{"zh": {...}, "en": {...}}`` with the text lines found (a single block serves both languages);
        empty when the file is missing or unreadable.
    problems : list of str
        Each naming the file and the key (none for a missing file: no contact block is configured).
    """
    path = Path(path) if path is not None else Path(config.settings().contact_file)
    name = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}, [f"{name}: larger than {MAX_BYTES // 1024} KB, not read"]
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        return {}, [f"{name}: cannot be read as UTF-8 JSON ({type(e).__name__}: {str(e)[:80]})"]
    problems: list[str] = []
    if not isinstance(raw, dict):
        return {}, [f"{name}: is a JSON {type(raw).__name__}, not an object"]
    if any(k in raw for k in LANGS):
        contact = {lang: _block(raw[lang], f"{name}: {lang}", problems) for lang in LANGS if lang in raw}
        for k in raw:
            if k not in LANGS:
                problems.append(f"{name}: unknown key {str(k)[:40]!r} (use zh, en)")
        return contact, problems
    one = _block(raw, name, problems)
    return {lang: dict(one) for lang in LANGS}, problems


def load_contact(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """The contact block, as far as the file is right (see :func:`read_contact` for its problems).

    Parameters
    ----------
    path : str or Path, optional
        The file; by default the configured ``contact_file``.

    Returns
    -------
    dict
        ``{"zh": {...}, "en": {...}}``; empty when the file is missing or unreadable.
    """
    return read_contact(path)[0]
