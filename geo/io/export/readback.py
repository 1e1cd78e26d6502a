"""Reading saved snapshots back within bounds: what a sidecar may say, which file it may name, how much
a file may unpack to.

A snapshot folder is shared (a server's ``snapshots/``), and a file in it may be crafted. So:

- a sidecar ``<file>.metadata.json`` is read only up to :data:`geo.config.SNAPSHOT_METADATA_MAX_BYTES`
  and must be a JSON object with the keys and types of :data:`SCHEMA` (:func:`read_sidecar`);
- the file it names must be the sidecar's own (its name less ``.metadata.json``): a plain name, no
  separator, and — resolved — a regular file inside the sidecar's folder (:func:`confined`), so no
  sidecar sends a listing or a download to ``../../secret`` or ``/etc/hostname``;
- a file read back is at most :data:`geo.config.SNAPSHOT_MAX_BYTES`, and a zip (the zipped formats, an
  Excel file) has at most :data:`geo.config.SNAPSHOT_ZIP_MAX_MEMBERS` members, each unpacking to at
  most :data:`geo.config.SNAPSHOT_ZIP_MAX_MEMBER_BYTES` and all together to at most
  :data:`geo.config.SNAPSHOT_ZIP_MAX_TOTAL_BYTES`, counted while unpacking (:func:`check_archive`).

Each refusal is an :class:`~geo.io.export.base.ExportError` saying the problem in English (read into the
page's language by :func:`geo.i18n.message`); callers put the file's name before it, except
:func:`read_sidecar` and :func:`snapshot_file`, which name the sidecar themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import stat
import zipfile
from pathlib import Path

from geo import config
from geo.io.export.base import CRS_CHOICES, ExportError

SIDECAR = ".metadata.json"
"""The end of a sidecar's name: ``<file>.metadata.json``."""
SCHEMA = {"file": "text", "created": "time", "format": "text", "crs": "crs", "filter_summary": "text",
          "data_version": "text", "counts": "counts", "totals": "totals"}
"""The keys a sidecar must hold and what each must be (extra keys are kept as they are)."""
COUNT_KEYS = ("parcels", "zones", "projects")
TOTAL_KEYS = ("land_mu", "output_target_yi")
_CHUNK = 1 << 20


def _kind(v: object) -> str:
    """A JSON value's kind in words (messages)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, str):
        return "a text"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def _number(v: object, whole: bool) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    return math.isfinite(v) and v >= 0 and (not whole or float(v).is_integer())


def _check(key: str, kind: str, v: object) -> str | None:
    """What is wrong with a sidecar's value (None: nothing); the wording of ``geo.i18n.MESSAGES`` (``snap_*``)."""
    if kind in ("text", "time", "crs"):
        if not isinstance(v, str) or not v.strip():
            return f"the key {key} is {_kind(v)}, not a text"
        if kind == "time":
            try:
                dt.datetime.fromisoformat(v)
            except ValueError:
                return f"the key {key} is '{v[:40]}', not an ISO time"
        if kind == "crs" and v not in CRS_CHOICES:
            return f"the key {key} is '{v[:40]}', not one of {', '.join(CRS_CHOICES)}"
        return None
    if not isinstance(v, dict):
        return f"the key {key} is {_kind(v)}, not an object"
    for k in COUNT_KEYS if kind == "counts" else TOTAL_KEYS:
        x = v.get(k)
        if kind == "counts" and not _number(x, whole=True):
            return f"counts.{k} is {_kind(x)}, not a whole number"
        if kind == "totals" and x is not None and not _number(x, whole=False):
            return f"totals.{k} is {_kind(x)}, not a number"
    return None


def read_metadata(side: str | os.PathLike) -> dict:
    """A sidecar's metadata, checked against :data:`SCHEMA`; the message of a refusal does not repeat the
    sidecar's name (:func:`read_sidecar` adds it).

    Parameters
    ----------
    side : str or path-like
        ``<file>.metadata.json``.

    Returns
    -------
    dict

    Raises
    ------
    ExportError
        Too large, not UTF-8 JSON, not an object, a key missing or of the wrong type, or naming another
        file than its own.
    """
    side = Path(side)
    name = side.name
    if side.is_symlink():
        raise ExportError("is a symbolic link: not read")
    if side.exists() and not side.is_file():
        raise ExportError("is not a regular file")
    try:
        with open(side, "rb") as fh:
            raw = fh.read(config.SNAPSHOT_METADATA_MAX_BYTES + 1)
    except OSError as e:
        raise ExportError(f"cannot be read ({e.strerror})") from e
    if len(raw) > config.SNAPSHOT_METADATA_MAX_BYTES:
        raise ExportError(f"larger than {config.SNAPSHOT_METADATA_MAX_BYTES // 1024} KB, not read")
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ExportError(f"cannot be read as UTF-8 JSON ({str(e)[:80]})") from e
    if not isinstance(meta, dict):
        raise ExportError(f"is a JSON {_kind(meta).split(' ')[-1]}, not an object")
    for key, kind in SCHEMA.items():
        if key not in meta:
            raise ExportError(f"lacks the key {key}")
        if (problem := _check(key, kind, meta[key])) is not None:
            raise ExportError(problem)
    own = name[: -len(SIDECAR)] if name.endswith(SIDECAR) else ""
    if meta["file"] != own:
        raise ExportError(f"names {str(meta['file'])[:80]} as its file, not {own}")
    return meta


def read_sidecar(side: str | os.PathLike) -> dict:
    """:func:`read_metadata`, a refusal's message starting with the sidecar's name.

    Parameters
    ----------
    side : str or path-like

    Returns
    -------
    dict

    Raises
    ------
    ExportError
        "<sidecar>: <problem>".
    """
    try:
        return read_metadata(side)
    except ExportError as e:
        raise ExportError(f"{Path(side).name}: {e}") from None


def confined(folder: str | os.PathLike, file: str) -> Path:
    """The path of a snapshot file that must be a regular file directly inside ``folder``, not a link.

    Parameters
    ----------
    folder : str or path-like
        The snapshot folder (the sidecar's).
    file : str
        A plain file name.

    Returns
    -------
    Path
        ``folder / file``.

    Raises
    ------
    ExportError
        "its file <file> …": not a plain name (a separator, ``..``, an absolute path), missing, a symbolic
        link, not a regular file, or resolving outside the folder.
    """
    shown = str(file)[:80]
    if (not isinstance(file, str) or not file or file in (".", "..") or "/" in file or "\\" in file
            or "\x00" in file or Path(file).name != file):
        raise ExportError(f"its file {shown} is not a plain file name in the snapshot folder")
    base = Path(folder)
    path = base / file
    if path.is_symlink():
        raise ExportError(f"its file {shown} is a symbolic link: not served")
    if not path.exists():
        raise ExportError(f"its file {shown} is missing")
    if not path.is_file():
        raise ExportError(f"its file {shown} is not a regular file")
    try:
        outside = path.resolve(strict=True).parent != base.resolve(strict=True)
    except (OSError, RuntimeError) as e:
        raise ExportError(f"its file {shown} is missing") from e
    if outside:
        raise ExportError(f"its file {shown} lies outside the snapshot folder")
    try:
        mode = os.stat(path, follow_symlinks=False).st_mode
    except OSError as e:
        raise ExportError(f"cannot be read ({e.strerror})") from e
    if not stat.S_ISREG(mode):
        raise ExportError(f"its file {shown} is not a regular file")
    return path


def check_size(path: str | os.PathLike) -> int:
    """The size of a snapshot file to read back, within :data:`geo.config.SNAPSHOT_MAX_BYTES`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    int
        Bytes.

    Raises
    ------
    ExportError
        The message does not repeat the name.
    """
    size = Path(path).stat().st_size
    if size > config.SNAPSHOT_MAX_BYTES:
        raise ExportError(f"{size / 2**20:.0f} MB is over the {config.SNAPSHOT_MAX_BYTES // 2**20} MB "
                          "limit for reading snapshots back")
    return size


def read_bytes(path: str | os.PathLike) -> bytes:
    """A snapshot file's bytes, read up to :data:`geo.config.SNAPSHOT_MAX_BYTES` (a file that grows past it
    while read is refused, not read whole).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    bytes

    Raises
    ------
    ExportError
        Too large or unreadable (the message does not repeat the name).
    """
    cap = config.SNAPSHOT_MAX_BYTES
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as e:
        raise ExportError(f"cannot be read ({e.strerror})") from e
    if len(data) > cap:
        raise ExportError(f"{len(data) / 2**20:.0f} MB is over the {cap // 2**20} MB limit for reading snapshots back")
    return data


def check_archive(path: str | os.PathLike) -> None:
    """Unpack every member of a zip without keeping it, refusing as soon as a limit is crossed.

    The member count is checked first, each member's declared size before it is unpacked, and the bytes
    actually unpacked while unpacking: a zip bomb is stopped at the limit, never unpacked whole. A file
    that is not a zip is left alone (GeoPackage, KML).

    Parameters
    ----------
    path : str or path-like

    Raises
    ------
    ExportError
        Too many members, a member or the whole unpacking past its limit, or an unreadable archive (the
        message does not repeat the file's name).
    """
    path = Path(path)
    if not zipfile.is_zipfile(path):
        return
    member_cap, total_cap = config.SNAPSHOT_ZIP_MAX_MEMBER_BYTES, config.SNAPSHOT_ZIP_MAX_TOTAL_BYTES
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > config.SNAPSHOT_ZIP_MAX_MEMBERS:
                raise ExportError(f"holds {len(infos)} members, over the limit of {config.SNAPSHOT_ZIP_MAX_MEMBERS}")
            total = 0
            for info in infos:
                member = info.filename[:80]
                if info.file_size > member_cap:
                    raise ExportError(f"member {member} unpacks to more than {member_cap // 2**20} MB: refused")
                if total + info.file_size > total_cap:
                    raise ExportError(f"unpacks to more than {total_cap // 2**20} MB: refused")
                seen = 0
                with zf.open(info) as src:
                    while chunk := src.read(_CHUNK):
                        seen += len(chunk)
                        total += len(chunk)
                        if seen > member_cap:
                            raise ExportError(f"member {member} unpacks to more than {member_cap // 2**20} MB: refused")
                        if total > total_cap:
                            raise ExportError(f"unpacks to more than {total_cap // 2**20} MB: refused")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as e:
        raise ExportError(f"not a readable zip archive ({str(e)[:80]})") from e


def snapshot_file(side: str | os.PathLike) -> tuple[Path, dict]:
    """The snapshot file a sidecar describes, checked: its metadata, confined, within the size limit.

    Parameters
    ----------
    side : str or path-like
        ``<file>.metadata.json``.

    Returns
    -------
    (Path, dict)
        The file and its metadata.

    Raises
    ------
    ExportError
        "<sidecar>: <problem>", as :func:`read_sidecar`, :func:`confined` and :func:`check_size`.
    """
    side = Path(side)
    meta = read_sidecar(side)
    try:
        path = confined(side.parent, meta["file"])
        check_size(path)
    except ExportError as e:
        raise ExportError(f"{side.name}: {e}") from None
    return path, meta
