"""Uploads unpacked and named safely: local paths only, zip members checked while unpacking.

Nothing here reads geodata: :func:`refuse_remote` keeps GDAL from ever being handed a URL, a ``/vsi…``
path or a connection string, and :func:`safe_extract` unpacks a zip (or kmz) into a folder of our own
with every member checked — a plain, unique, unencrypted name, no nested archive, no more members than
:data:`geo.config.IMPORT_MAX_MEMBERS`, and its bytes counted as they are copied, so a header that
lies about the size lets no more through than it declared (and never more than
:data:`geo.config.IMPORT_MAX_UNZIPPED` in all). Every refusal is an :class:`UploadRefused` naming the
file (and the member) and the problem.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from pathlib import Path

from geo import config

ARCHIVES = (".zip", ".kmz", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".zst")
"""Member suffixes of nested archives (refused: an archive is unpacked once)."""
_VSI = re.compile(r"(^|[\\/])vsi[a-z0-9_]*([\\/]|$)", re.IGNORECASE)  # /vsicurl/, /vsis3/, vsizip/ …
_URL = re.compile(r"[a-z][a-z0-9+.-]*:[\\/]{2}", re.IGNORECASE)  # http://, ftp:\\ … anywhere
_CONNECTION = re.compile(r"^\s*[a-z][a-z0-9_]+:", re.IGNORECASE)  # PG:, WFS:, GPKG:…, not a drive letter C:
_CHUNK = 1 << 20


class UploadRefused(Exception):
    """An upload (or a member of it) is refused; the message names the file and the problem."""


def shown(text: object, limit: int = 80) -> str:
    """A value from a file (or a library's error) as a message shows it: one line, no "; ", at most ``limit``.

    Parameters
    ----------
    text : object
    limit : int, default 80

    Returns
    -------
    str
        Control characters escaped, "; " (which separates a message's parts) written ", ".
    """
    s = "".join(c if unicodedata.category(c) != "Cc" else c.encode("unicode_escape").decode() for c in str(text))
    return s.replace("; ", ", ")[:limit]


def refuse_remote(text: str, name: str) -> None:
    """Refuse a path that GDAL would read as something other than a local file.

    Parameters
    ----------
    text : str
        A path or a member name as given.
    name : str
        How messages name the file.

    Raises
    ------
    UploadRefused
        For ``/vsicurl/``-style virtual paths, URLs (``http://`` …) and connection strings (``PG:``,
        ``WFS:`` …) anywhere in the text's path parts.
    """
    if _VSI.search(text) or _URL.search(text) or _CONNECTION.match(text):
        raise UploadRefused(f"{name}: '{shown(text)}' names a remote or virtual file: only local files are read")


def _plain_name(member: str, name: str) -> str:
    """The name a member is unpacked under (its last path part), refusing unsafe or empty names."""
    if member.startswith(("/", "\\")) or ".." in re.split(r"[\\/]", member) or re.match(r"^[A-Za-z]:", member):
        raise UploadRefused(f"{name}: zip member '{shown(member)}' points outside the archive (path traversal): refused")
    if any(unicodedata.category(c) == "Cc" for c in member):
        raise UploadRefused(f"{name}: zip member '{shown(member)}' has control "
                            f"characters in its name: refused")
    base = re.split(r"[\\/]", member)[-1].strip()
    if not base.strip(". "):
        raise UploadRefused(f"{name}: a zip member has an empty name ('{shown(member)}'): refused")
    refuse_remote(member, name)
    return base


OS_LITTER = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")
"""What an operating system adds to an archive it makes (macOS resource forks, folder settings): never data."""


def _os_litter(member: str, base: str) -> bool:
    """Whether a member is the archiving system's own (``__MACOSX/…``, ``._name``, ``.DS_Store`` …)."""
    return base.startswith("._") or any(part in OS_LITTER for part in re.split(r"[\\/]", member))


def _key(base: str) -> str:
    """Names that collide once unpacked on any file system: NFC, case-folded."""
    return unicodedata.normalize("NFC", base).casefold()


def check_members(zf: zipfile.ZipFile, name: str) -> list[tuple[zipfile.ZipInfo, str]]:
    """The archive's file members and the plain names they unpack to, all checked before anything is unpacked.

    Parameters
    ----------
    zf : zipfile.ZipFile
    name : str
        How messages name the file.

    Returns
    -------
    list of (zipfile.ZipInfo, str)
        Folders left out.

    Raises
    ------
    UploadRefused
        Too many members, an unsafe, empty or control-character name, two members with one name once
        unpacked (folders flattened, Unicode NFC, case-folded), an encrypted or nested archive member.
    """
    infos = zf.infolist()
    if len(infos) > config.IMPORT_MAX_MEMBERS:
        raise UploadRefused(f"{name}: holds {len(infos)} members, over the limit of {config.IMPORT_MAX_MEMBERS}")
    out, seen = [], {}
    for info in infos:
        if not info.filename:
            raise UploadRefused(f"{name}: a zip member has no name: refused")
        base = _plain_name(info.filename, name)
        if info.is_dir() or _os_litter(info.filename, base):
            continue
        if info.flag_bits & 0x1:
            raise UploadRefused(f"{name}: zip member '{shown(info.filename)}' is encrypted: refused")
        if base.lower().endswith(ARCHIVES):
            raise UploadRefused(f"{name}: zip member '{shown(info.filename)}' is itself an archive: nested archives are "
                                f"refused")
        if (k := _key(base)) in seen:
            raise UploadRefused(f"{name}: zip members '{shown(seen[k])}' and '{shown(info.filename)}' have the same name once "
                                f"unpacked: refused")
        seen[k] = info.filename
        out.append((info, base))
    return out


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int, name: str) -> int:
    """Copy one member, counting bytes; stop at its declared size or the budget, whichever is smaller."""
    limit = min(info.file_size, budget)
    done = 0
    with zf.open(info) as src, open(target, "xb") as dst:
        while chunk := src.read(min(_CHUNK, limit - done + 1)):
            done += len(chunk)
            if done > limit:
                if done > info.file_size:
                    raise UploadRefused(f"{name}: zip member '{shown(info.filename)}' unpacks to more than the "
                                        f"{info.file_size} bytes its header declares: refused")
                raise UploadRefused(f"{name}: unpacks to more than {config.IMPORT_MAX_UNZIPPED // 2**20} MB: refused")
            dst.write(chunk)
    if done != info.file_size:
        raise UploadRefused(f"{name}: zip member '{shown(info.filename)}' is damaged (it unpacks to {done} bytes, its "
                            f"header declares {info.file_size})")
    return done


def safe_extract(zpath: Path, dest: Path, name: str) -> list[Path]:
    """Unpack an uploaded zip (or kmz) into ``dest``, flat, every member checked.

    Parameters
    ----------
    zpath : Path
    dest : Path
        An empty folder of our own.
    name : str
        How messages name the file.

    Returns
    -------
    list of Path
        The unpacked files.

    Raises
    ------
    UploadRefused
        Not a zip, any refusal of :func:`check_members`, a damaged member (bad CRC, broken stream, an
        unsupported compression), a member larger than its header says, more than
        :data:`geo.config.IMPORT_MAX_UNZIPPED` in all.
    """
    try:
        zf = zipfile.ZipFile(zpath)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise UploadRefused(f"{name}: not a readable zip archive ({shown(e, 120)})") from e
    total, out = 0, []
    with zf:
        for info, base in check_members(zf, name):
            target = dest / base
            try:
                total += _copy_member(zf, info, target, config.IMPORT_MAX_UNZIPPED - total, name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
                    RuntimeError) as e:
                raise UploadRefused(f"{name}: zip member '{shown(info.filename)}' is damaged ({shown(e, 120)})") from e
            out.append(target)
    return out
