"""The audit trail: who did what, when and from where — append-only, each record chained to the one before.

Every import, digitised save, undo, export, fact sheet and sign-in is one record (:class:`Event` in,
a ``dict`` out). A record holds its position (``seq``), the time (ISO 8601 in Asia/Shanghai), the identity
(``who``, and whether a sign-in vouched for it: ``verified``; without sign-in the name is a local user's, marked
not verified), the ``action``, what it touched (``details``: feature ids, change ids, filter, format, file name
and SHA-256), the client's address when known, the hash of the record before (``prev``) and its own ``hash``:
SHA-256 over ``prev`` and the canonical JSON of the record without ``hash``. Altering, removing, reordering or
cutting records breaks the chain, and :func:`verify` names the first record where it breaks.

The file log (:class:`FileAuditLog`) appends one JSON line per record under an exclusive lock, fsynced; reading
is tolerant (a damaged line is a problem named by its line number, never a crash). Another backend (a table in
the database when that is the store) implements the same :class:`AuditLog` boundary; :func:`open_audit` picks
the backend.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from geo import config

GENESIS = "0" * 64
"""The ``prev`` of the first record."""
ACTIONS = ("import", "save", "undo", "export", "factsheet", "sign-in")
"""What a record may say was done."""
FIELDS = ("seq", "when", "who", "verified", "action", "details", "client", "prev", "hash")
"""The keys of every record, in order."""
ZONE = ZoneInfo("Asia/Shanghai")
TAIL_BYTES = 1 << 16
"""The tail read to find the last record before an append (a record is far shorter)."""


class AuditError(Exception):
    """The audit log cannot be written (the action it records should be reported as not recorded)."""


@dataclass(frozen=True)
class Identity:
    """Who acts: a name and whether a sign-in vouched for it.

    Attributes
    ----------
    name : str
        The signed-in user's e-mail or subject; without sign-in the local user's name.
    verified : bool
        True only when an identity provider signed the user in.
    """

    name: str
    verified: bool = False


@dataclass(frozen=True)
class Event:
    """One thing done, before it is recorded.

    Attributes
    ----------
    action : str
        One of :data:`ACTIONS`.
    who : Identity
    details : Mapping
        What was touched (JSON-serialisable): ``layer``, ``ids``, ``changes``, ``filter``, ``format``, ``file``,
        ``sha256`` …
    client : str or None
        The client's address when known.
    """

    action: str
    who: Identity
    details: Mapping[str, object] = field(default_factory=dict)
    client: str | None = None


@dataclass(frozen=True)
class Problem:
    """Where the chain breaks or a line cannot be read.

    Attributes
    ----------
    line : int
        The line (1-based) of the record in the log.
    seq : int or None
        The record's own position, when it could be read.
    why : str
        What is wrong, in English (the CLI's message).
    kind : str
        ``altered``, ``order``, ``chain``, ``damaged`` or ``foreign`` (the app words it by this).
    expected : int or None
        For ``order``: the position expected at this line.
    """

    line: int
    seq: int | None
    why: str
    kind: str = ""
    expected: int | None = None

    def __str__(self) -> str:
        """The problem as one line: ``line 3 (record 3): …``."""
        rec = f" (record {self.seq})" if self.seq is not None else ""
        return f"line {self.line}{rec}: {self.why}"


class AuditLog(Protocol):
    """The audit trail's boundary: append a record, read them all, check the chain, hand it out.

    ``path`` names where the log is (a file, or the database without its password) for messages.
    """

    path: object

    def append(self, event: Event) -> dict:
        """Record ``event``; returns the stored record (raises :class:`AuditError` when it cannot)."""
        ...

    def lines(self) -> list[tuple[int, dict | None, Problem | None]]:
        """Every stored record in order: (line or position, record or None, problem or None)."""
        ...

    def read(self) -> tuple[list[dict], list[Problem]]:
        """Every readable record in order, and the lines that could not be read."""
        ...

    def verify(self) -> list[Problem]:
        """The first damaged line or break of the chain (empty: intact)."""
        ...

    def export_bytes(self) -> bytes:
        """The log as JSON lines, as stored (for a download and an outside ``verify``)."""
        ...


def canonical(record: Mapping[str, object]) -> bytes:
    """The canonical JSON of a record without its ``hash``: sorted keys, no spaces, UTF-8.

    Parameters
    ----------
    record : Mapping

    Returns
    -------
    bytes
    """
    body = {k: v for k, v in record.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(record: Mapping[str, object]) -> str:
    """SHA-256 (hex) over the record's ``prev`` and its canonical JSON.

    Parameters
    ----------
    record : Mapping

    Returns
    -------
    str
    """
    return hashlib.sha256(str(record.get("prev", "")).encode("ascii", "replace") + canonical(record)).hexdigest()


def sha256_bytes(data: bytes) -> str:
    """The SHA-256 (hex) of a file's bytes, for ``details["sha256"]``.

    Parameters
    ----------
    data : bytes

    Returns
    -------
    str
    """
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """The SHA-256 (hex) of a file, read in blocks.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    str
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def now() -> str:
    """The time now, ISO 8601 in Asia/Shanghai with its offset (milliseconds).

    Returns
    -------
    str
    """
    return dt.datetime.now(ZONE).isoformat(timespec="milliseconds")


def make_record(event: Event, seq: int, prev: str, when: str | None = None) -> dict:
    """The record of ``event`` at position ``seq`` after the record hashed ``prev``, with its hash.

    Parameters
    ----------
    event : Event
    seq : int
        1 for the first record.
    prev : str
        The hash of the record before (:data:`GENESIS` for the first).
    when : str, optional
        Default: :func:`now`.

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        When the action is not one of :data:`ACTIONS` or the name is empty.
    """
    if event.action not in ACTIONS:
        raise ValueError(f"unknown audit action {event.action!r}")
    if not event.who.name.strip():
        raise ValueError("an audit record needs a name")
    rec = {"seq": seq, "when": when or now(), "who": event.who.name, "verified": bool(event.who.verified),
           "action": event.action, "details": json.loads(json.dumps(dict(event.details), default=str)),
           "client": None if event.client is None else str(event.client), "prev": prev}
    rec["hash"] = record_hash(rec)
    return rec


def verify(records: Iterable[tuple[int, dict]]) -> list[Problem]:
    """Check the chain: positions 1, 2, 3 … each record's ``prev`` the hash before, its ``hash`` its own.

    Parameters
    ----------
    records : iterable of (int, dict)
        (line number, record) in file order.

    Returns
    -------
    list of Problem
        Empty when the chain holds; else the first break (what follows a break cannot be trusted).
    """
    prev, expected = GENESIS, 1
    for line, rec in records:
        seq = rec.get("seq") if isinstance(rec.get("seq"), int) else None
        if rec.get("hash") != record_hash(rec):
            return [Problem(line, seq, "the record was altered: its hash does not match its content", "altered")]
        if seq != expected:
            return [Problem(line, seq, f"record {expected} is expected here: records were removed or reordered",
                            "order", expected)]
        if rec.get("prev") != prev:
            return [Problem(line, seq, "the record does not follow the one before it: the chain is broken", "chain")]
        prev, expected = rec["hash"], expected + 1
    return []


def check(lines: list[tuple[int, dict | None, Problem | None]]) -> list[Problem]:
    """Check a log read as (line, record or None, problem or None): the first damaged line, else the first break.

    Parameters
    ----------
    lines : list of tuple
        What a log's ``lines()`` returns.

    Returns
    -------
    list of Problem
    """
    damaged = [p for _, _, p in lines if p is not None]
    if damaged:
        return damaged[:1]
    return verify((n, r) for n, r, _ in lines if r is not None)


def parse(raw: bytes, line: int) -> tuple[dict | None, Problem | None]:
    """One stored record's text: the record, or why it cannot be read.

    Parameters
    ----------
    raw : bytes
        The record's JSON (UTF-8).
    line : int
        Its line (or position) in the log.

    Returns
    -------
    (dict or None, Problem or None)
    """
    return _parse(raw, line)


def _parse(raw: bytes, line: int) -> tuple[dict | None, Problem | None]:
    """One line of the log: its record, or why it cannot be read."""
    try:
        rec = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, Problem(line, None, "not a readable JSON record (damaged or cut short)", "damaged")
    if not isinstance(rec, dict) or set(rec) != set(FIELDS):
        return None, Problem(line, None, "not an audit record (its fields are not the record's)", "foreign")
    return rec, None


class FileAuditLog:
    """The audit trail in a JSON-lines file: one record a line, appended under a lock, fsynced.

    Parameters
    ----------
    path : str or path-like
        The log (created with its folder on the first record); its lock is ``<path>.lock``.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.lock = self.path.with_name(self.path.name + ".lock")

    def __repr__(self) -> str:
        """The log's class and file."""
        return f"FileAuditLog({str(self.path)!r})"

    def _last(self) -> tuple[int, str]:
        """(seq, hash) of the last readable record (0 and :data:`GENESIS` when none)."""
        if not self.path.exists():
            return 0, GENESIS
        with open(self.path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - TAIL_BYTES))
            tail = f.read()
        lines = [ln for ln in tail.split(b"\n") if ln.strip()]
        for raw in reversed(lines if size <= TAIL_BYTES else lines[1:]):
            rec, _ = _parse(raw, 0)
            if rec is not None and isinstance(rec.get("seq"), int):
                return rec["seq"], str(rec["hash"])
        if size > TAIL_BYTES:  # a long damaged tail: the whole file
            good = [r for r in self.read()[0] if isinstance(r.get("seq"), int)]
            if good:
                return good[-1]["seq"], str(good[-1]["hash"])
        return 0, GENESIS

    def append(self, event: Event) -> dict:
        """Record ``event`` after the last record, fsynced, under the log's lock.

        Parameters
        ----------
        event : Event

        Returns
        -------
        dict
            The record as stored.

        Raises
        ------
        AuditError
            When the log's folder or file cannot be written.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.lock, "a+b") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    return self._append_locked(event)
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        except OSError as e:
            raise AuditError(f"the audit log {self.path} cannot be written: {e.strerror or e}") from e

    def _append_locked(self, event: Event) -> dict:
        """Append one record (the lock is held): a fresh line even after a torn last line."""
        seq, prev = self._last()
        rec = make_record(event, seq + 1, prev)
        line = line_of(rec) + b"\n"
        new = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # the last line was cut short: it stays a damaged line of its own
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:
            dfd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        return rec

    def lines(self) -> list[tuple[int, dict | None, Problem | None]]:
        """Every non-empty line: (line number, record or None, problem or None).

        Returns
        -------
        list of tuple
        """
        if not self.path.exists():
            return []
        out = []
        with open(self.path, "rb") as f:
            for n, raw in enumerate(f, 1):
                if raw.strip():
                    out.append((n, *_parse(raw.rstrip(b"\n"), n)))
        return out

    def export_bytes(self) -> bytes:
        """The file as it is (empty when there is none yet).

        Returns
        -------
        bytes
        """
        return self.path.read_bytes() if self.path.exists() else b""

    def read(self) -> tuple[list[dict], list[Problem]]:
        """Every readable record in file order, and the unreadable lines (never raises on a damaged line).

        Returns
        -------
        (list of dict, list of Problem)
        """
        got = self.lines()
        return [r for _, r, _ in got if r is not None], [p for _, _, p in got if p is not None]

    def verify(self) -> list[Problem]:
        """Check the whole log: a damaged line or a break of the chain is a problem.

        Returns
        -------
        list of Problem
            Empty when every record is intact and in order.
        """
        return check(self.lines())


def line_of(record: dict) -> bytes:
    """A record as it is stored: one line of compact JSON (UTF-8), without the newline.

    Parameters
    ----------
    record : dict

    Returns
    -------
    bytes
    """
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def audit_path(settings: config.Settings | None = None) -> Path:
    """Where the file log is: ``SCIMAP_AUDIT_FILE``, else ``audit.jsonl`` in the data folder.

    Parameters
    ----------
    settings : geo.config.Settings, optional
        Default: :func:`geo.config.settings` now.

    Returns
    -------
    Path
    """
    s = settings or config.settings()
    return s.audit_file or s.data_dir / config.AUDIT_FILE_NAME


def open_audit(settings: config.Settings | None = None) -> AuditLog:
    """The audit log the app and the CLI write: the file ``SCIMAP_AUDIT_FILE`` names; else, when the store is a
    database (``SCIMAP_DATABASE_URL``), its table :class:`geo.io.pgaudit.PostgresAuditLog`; else the file of
    :func:`audit_path`.

    Parameters
    ----------
    settings : geo.config.Settings, optional

    Returns
    -------
    AuditLog
        Both kinds have ``append``, ``read``, ``lines``, ``verify`` and a ``path`` naming where they are.
    """
    s = settings or config.settings()
    if s.database_url and s.audit_file is None:
        from geo.io.pgaudit import PostgresAuditLog
        return PostgresAuditLog(s.database_url)
    return FileAuditLog(audit_path(s))


def record(action: str, who: Identity, details: Mapping[str, object] | None = None, client: str | None = None,
           settings: config.Settings | None = None) -> dict:
    """Append one record to the configured log.

    Parameters
    ----------
    action : str
        One of :data:`ACTIONS`.
    who : Identity
    details : Mapping, optional
    client : str, optional
    settings : geo.config.Settings, optional

    Returns
    -------
    dict
        The stored record.

    Raises
    ------
    AuditError
        When the log cannot be written.
    """
    return open_audit(settings).append(Event(action, who, details or {}, client))


def since(records: Iterable[dict], start: dt.datetime | None) -> list[dict]:
    """The records at or after ``start`` (all when None); a record whose time cannot be read is kept.

    Parameters
    ----------
    records : iterable of dict
    start : datetime.datetime, optional
        A naive time is read in Asia/Shanghai.

    Returns
    -------
    list of dict
    """
    if start is None:
        return list(records)
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZONE)
    out = []
    for r in records:
        try:
            keep = dt.datetime.fromisoformat(str(r.get("when"))) >= start
        except (TypeError, ValueError):
            keep = True
        if keep:
            out.append(r)
    return out
