"""``python -m geo audit {verify,show}``: check and list the audit trail (:mod:`geo.io.audit`).

Also the command line's own identity and recording (:func:`cli_identity`, :func:`record`): the CLI runs on the
server under an operating-system account, which the audit trail names, marked not verified (no sign-in vouched
for it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Mapping

from geo.io import audit


def cli_identity() -> audit.Identity:
    """The identity of the command line: ``local:<account>``, not verified.

    Returns
    -------
    geo.io.audit.Identity
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # an account without a name (a container's bare uid)
        user = "unknown"
    return audit.Identity(f"local:{user}", verified=False)


def record(action: str, details: Mapping[str, object]) -> int:
    """Record what a command did; a log that cannot be written is a message and status 1.

    Parameters
    ----------
    action : str
        One of :data:`geo.io.audit.ACTIONS`.
    details : Mapping

    Returns
    -------
    int
        0 when recorded.
    """
    try:
        audit.record(action, cli_identity(), {**details, "via": "cli"})
    except audit.AuditError as err:
        print(f"NOT RECORDED in the audit trail: {err}", file=sys.stderr)
        return 1
    return 0


def _when(text: str) -> dt.datetime:
    """``--since``: an ISO date or time (Asia/Shanghai unless it carries an offset)."""
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date or time (2026-12-03 or 2026-12-03T09:30)") from None


def arguments(p: argparse.ArgumentParser) -> None:
    """Add ``verify`` and ``show [--since …] [--json]``.

    Parameters
    ----------
    p : argparse.ArgumentParser
    """
    sub = p.add_subparsers(dest="audit_cmd", required=True)
    verify = sub.add_parser("verify", help="check that no record was altered, removed, reordered or cut")
    verify.add_argument("--kept", metavar="HASH", help="a record's hash kept elsewhere (printed by an earlier "
                                                     "verify): the trail must still hold it (detects cutting records "
                                                     "off the end)")
    show = sub.add_parser("show", help="list the records (times in Asia/Shanghai)")
    show.add_argument("--since", type=_when, metavar="WHEN", help="only records at or after this date or time")
    show.add_argument("--json", action="store_true", help="one JSON record a line, as stored")


def run_verify(log: audit.AuditLog, kept: str | None = None) -> int:
    """Check the chain; print the first problem (naming its line and record) and return 1, or say it holds and
    print the last record's hash (to keep elsewhere: a later ``--kept`` finds records cut off the end).

    Parameters
    ----------
    log : geo.io.audit.AuditLog
    kept : str, optional
        A hash an earlier verify printed: the trail must still hold that record.

    Returns
    -------
    int
    """
    problems = log.verify()
    if problems:
        for p in problems:
            print(f"audit trail {log.path}: {p}", file=sys.stderr)
        return 1
    records = log.read()[0]
    if kept and kept.strip().lower() not in {r["hash"] for r in records}:
        print(f"audit trail {log.path}: the record with hash {kept.strip()} is missing: records were cut off the end "
              f"(the trail now ends at record {len(records)})", file=sys.stderr)
        return 1
    last = records[-1]["hash"] if records else audit.GENESIS
    print(f"audit trail {log.path}: {len(records)} record(s), chain intact; last hash {last}")
    return 0


def _line(r: dict) -> str:
    """One record as a line: seq, time, who (and whether verified), action, client, details."""
    who = r["who"] if r.get("verified") else f"{r['who']} (not verified)"
    details = json.dumps(r.get("details"), ensure_ascii=False, sort_keys=True)
    return f"{r['seq']:>5}  {r['when']}  {who}  {r['action']}  {r.get('client') or '-'}  {details}"


def run_show(log: audit.AuditLog, since: dt.datetime | None, as_json: bool) -> int:
    """List the records (from ``since``); unreadable lines are warnings on stderr.

    Parameters
    ----------
    log : geo.io.audit.AuditLog
    since : datetime.datetime or None
    as_json : bool

    Returns
    -------
    int
    """
    records, problems = log.read()
    for p in problems:
        print(f"warning: audit trail {log.path}: {p}", file=sys.stderr)
    for r in audit.since(records, since):
        print(json.dumps(r, ensure_ascii=False) if as_json else _line(r))
    return 0


def run(args: argparse.Namespace) -> int:
    """Dispatch ``audit verify`` / ``audit show``.

    Parameters
    ----------
    args : argparse.Namespace
        ``audit_cmd``, and for ``show`` ``since`` and ``json``.

    Returns
    -------
    int
    """
    log = audit.open_audit()
    if args.audit_cmd == "verify":
        return run_verify(log, args.kept)
    return run_show(log, args.since, args.json)
