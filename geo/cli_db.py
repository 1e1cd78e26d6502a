"""``python -m geo db {init,load,dump,check}``: the PostGIS store's database from the command line.

The database is ``SCIMAP_DATABASE_URL`` (:func:`geo.config.database_url`). ``init`` creates PostGIS (when
missing and allowed) and the schema; ``load`` replaces the database's data with a file store's (the shipped
``data/`` and ``layers/``, or ``--data``/``--layers``), checked first; ``dump`` writes the database back as a
file store (``--data``/``--layers``, both required: nothing is overwritten by default); ``check`` compares the
database with a file store (tables, features, areas, history) and exits 1 on any difference. A bad URL, a
database that cannot be reached, a missing extension or schema is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg

from geo import config
from geo.config import redact_url
from geo.io.files import FileLayout, load_all
from geo.io.store import StoreError


def arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``db`` subcommands and their arguments.

    Parameters
    ----------
    p : argparse.ArgumentParser
    """
    sub = p.add_subparsers(dest="db_cmd", required=True)
    sub.add_parser("init", help="create PostGIS (if allowed) and the store's schema in the database")
    for name, what in (("load", "load a file store into the database (replaces its data)"),
                       ("check", "compare the database with a file store; exit 1 on a difference")):
        q = sub.add_parser(name, help=what)
        q.add_argument("--data", type=Path, help="data folder (default: data/)")
        q.add_argument("--layers", type=Path, help="layers folder (default: layers/)")
    q = sub.add_parser("dump", help="write the database as a file store (tables, parcels, layers, history)")
    q.add_argument("--data", type=Path, required=True, help="data folder to write")
    q.add_argument("--layers", type=Path, required=True, help="layers folder to write")


def _url() -> str:
    url = config.settings().database_url
    if not url:
        raise StoreError("SCIMAP_DATABASE_URL is not set: postgresql://user@host:5432/dbname of a database with "
                         "PostGIS")
    return url


def _init(url: str, args: argparse.Namespace) -> int:
    from geo.io import pgschema
    with pgschema.connect(url) as conn:
        pgschema.init(conn, url)
    print(f"db init: schema {pgschema.SCHEMA} ready in {redact_url(url)}")
    return 0


def _load(url: str, args: argparse.Namespace) -> int:
    from geo.io import pgfiles, pgschema
    from geo.io.store import FileStore
    lay = FileLayout.resolve(args.data, args.layers)
    if lay.journal.exists():
        raise StoreError(f"{lay.journal}: the files hold an unfinished change; open them with the app or "
                         "python -m geo import once to finish it, then load")
    load_all(lay.data_dir, lay.layers_dir, strict=True)  # bad data is refused here, with its problems
    for problem in FileStore(lay.data_dir, lay.layers_dir).history_problems():
        print(f"warning: {problem} (not loaded)", file=sys.stderr)
    with pgschema.connect(url) as conn:
        pgschema.require(conn, url, loaded=False)
        counts = pgfiles.load_files(conn, lay)
    print(f"db load: {lay.data_dir}, {lay.layers_dir} → {redact_url(url)}: "
          + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
    return 0


def _dump(url: str, args: argparse.Namespace) -> int:
    from geo.io import pgfiles, pgschema
    with pgschema.connect(url) as conn:
        pgschema.require(conn, url)
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            files = pgfiles.render(conn)
    written = pgfiles.write(files, args.data, args.layers)
    print(f"db dump: {len(written)} files written to {args.data} and {args.layers}")
    return 0


def _check(url: str, args: argparse.Namespace) -> int:
    from geo.io import pgcheck, pgschema
    lay = FileLayout.resolve(args.data, args.layers)
    with pgschema.connect(url) as conn:
        pgschema.require(conn, url)
        result = pgcheck.compare(conn, lay)
    for line in result.differences:
        print(f"DIFFERENT: {line}")
    if result.differences:
        print(f"db check: {len(result.differences)} difference(s) between {redact_url(url)} and "
              f"{lay.data_dir}, {lay.layers_dir}", file=sys.stderr)
        return 1
    for line in result.summary:
        print(line)
    print(f"db check: {redact_url(url)} matches {lay.data_dir}, {lay.layers_dir}")
    return 0


STEPS: dict[str, Callable[[str, argparse.Namespace], int]] = {"init": _init, "load": _load, "dump": _dump,
                                                               "check": _check}


def run(args: argparse.Namespace) -> int:
    """Run a ``db`` subcommand; every failure is one line on stderr and status 1.

    Parameters
    ----------
    args : argparse.Namespace
        ``db_cmd`` and its arguments.

    Returns
    -------
    int
    """
    try:
        return STEPS[args.db_cmd](_url(), args)
    except (StoreError, config.ConfigError) as err:
        print(f"python -m geo db {args.db_cmd}: {err}", file=sys.stderr)
        return 1
    except psycopg.Error as err:  # the connection lost, a statement refused: its first line, never a traceback
        lines = str(err).strip().splitlines() or [type(err).__name__]
        print(f"python -m geo db {args.db_cmd}: the database failed: {redact_url(lines[0][:300])}", file=sys.stderr)
        return 1
