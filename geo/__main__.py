"""Command line: ``python -m geo {validate,build,summary,export,factsheet,import,audit,db,tiles}``.

Each subcommand is two small functions — one adds its arguments, one runs it — joined in
:data:`COMMANDS`; :func:`main` only parses and dispatches. The data comes from
:func:`geo.io.open_store`; the export formats (``--format``) from the export registry.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.io.importer import Review

LANGS = ("zh", "en")
SUMMARY_MEMBERSHIP_KEYS = ("zone_id", "layout_id")  # counted over memberships (descendant zones included)


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, how it adds its arguments, and what it runs (→ exit status)."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# ------------------------------------------------------------------ validate, build

def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, help="data folder (default: data/)")
    p.add_argument("--layers", type=Path, help="layers folder (default: layers/)")


def run_validate(args: argparse.Namespace) -> int:
    """Check the data (and say what is wrong with the change history); exit status 1 on data errors.

    Parameters
    ----------
    args : argparse.Namespace
        ``data``, ``layers``.

    Returns
    -------
    int
    """
    from geo.io.files import FileLayout
    from geo.io.store import FileStore
    from geo.pipeline import validate
    status = validate.main(data_dir=args.data, layers_dir=args.layers)
    lay = FileLayout.resolve(args.data, args.layers)
    for problem in FileStore(lay.data_dir, lay.layers_dir).history_problems():  # read only: nothing is repaired
        print(f"WARNING: {problem}")
    return status


def run_build(args: argparse.Namespace) -> int:
    """Rebuild the layers, tables and parcels from ``data/src``.

    Parameters
    ----------
    args : argparse.Namespace
        ``data``, ``layers``.

    Returns
    -------
    int
    """
    from geo.pipeline import build
    try:
        counts = build.build(data_dir=args.data, layers_dir=args.layers)
    except build.BuildError as e:
        print(f"build failed: {e}", file=sys.stderr)
        return 1
    print("built: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


# ------------------------------------------------------------------ summary

SUMMARY_KEYS = ("sector_zh", "sector_en", "sector_group_zh", "sector_group_en", "source_doc", "kind", "district",
                "target_year", "region_zh", "function_zh", "parcel_geometry_source")
"""Columns ``summary --by`` groups by as they are."""
SUMMARY_MULTI_KEYS = ("districts", "areas")
"""Multi-valued columns: a project counts once in each of its districts or functional areas."""


def _summary_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", default="sector_zh", choices=SUMMARY_KEYS + SUMMARY_MULTI_KEYS + SUMMARY_MEMBERSHIP_KEYS,
                   help="what to group the projects by")


def run_summary(args: argparse.Namespace) -> int:
    """Print aggregates per plan, sector, zone, layout … (``--by``).

    Parameters
    ----------
    args : argparse.Namespace
        ``by``.

    Returns
    -------
    int
        2 when the projects lack the ``--by`` column.
    """
    import pandas as pd

    from geo.core import aggregate
    from geo.core.filter import split_multi
    from geo.io import open_store
    d = open_store().load()
    p = d.enriched
    if args.by in SUMMARY_MEMBERSHIP_KEYS:
        t = aggregate.aggregate_memberships(p, d.memberships, args.by)
    elif args.by in SUMMARY_MULTI_KEYS:
        t = aggregate.aggregate_each(p, args.by, split_multi)
    elif args.by in p.columns:
        t = aggregate.aggregate(p, args.by)
    else:  # a column the data of another store lacks
        print(f"python -m geo summary: error: argument --by: the projects have no column {args.by!r}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(t.to_string(index=False))
    return 0


# ------------------------------------------------------------------ export

def _export_args(p: argparse.ArgumentParser) -> None:
    from geo.io import export
    p.add_argument("--format", required=True, choices=list(export.FORMATS),
                   help="; ".join(f"{k}: {v}" for k, v in export.FORMAT_LABELS.items()))
    p.add_argument("--crs", default="EPSG:4326", choices=list(export.CRS_CHOICES),
                   help="; ".join(f"{k}: {v}" for k, v in export.CRS_CHOICES.items()))
    p.add_argument("-o", "--out", required=True, type=Path, help="output folder")
    p.add_argument("--plan", action="append", default=[], help="source document id (a plan of data/sources.csv)")
    p.add_argument("--layout", action="append", default=[], help="layout or layer id")
    p.add_argument("--sector", action="append", default=[], help="sector or sector group (Chinese or English)")
    p.add_argument("--district", action="append", default=[])
    p.add_argument("--zone", action="append", default=[], help="zone id (its sub-zones included)")
    p.add_argument("--geometry-source", action="append", default=[], dest="geoms")
    for name in ("--min-mu", "--max-mu", "--min-yi", "--max-yi"):
        p.add_argument(name, type=_amount, metavar="NUMBER", help="a finite number ≥ 0")
    p.add_argument("--lang", default="zh", choices=LANGS)


def _amount(text: str) -> float:
    """An argument's amount (亩, 亿元) by the one rule of :mod:`geo.core.amount`; argparse names the argument."""
    from geo.core.amount import AmountError, amount
    try:
        return amount(text)
    except AmountError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def run_export(args: argparse.Namespace) -> int:
    """Write a snapshot of a selection (the app's filters) in a registered format.

    Parameters
    ----------
    args : argparse.Namespace
        ``format``, ``crs``, ``out``, ``lang`` and the filter's arguments.

    Returns
    -------
    int
    """
    from geo.core.filter import Filter
    from geo.io import export, open_store
    for lo, hi in (("min_mu", "max_mu"), ("min_yi", "max_yi")):
        if None not in (getattr(args, lo), getattr(args, hi)) and getattr(args, lo) > getattr(args, hi):
            print(f"python -m geo export: error: --{lo.replace('_', '-')} {getattr(args, lo):g} is above "
                  f"--{hi.replace('_', '-')} {getattr(args, hi):g}", file=sys.stderr)
            return 2
    f = Filter(plans=args.plan, layouts=args.layout, sectors=args.sector, districts=args.district,
               zones=args.zone, geometry_sources=args.geoms, land_mu=(args.min_mu, args.max_mu),
               output_yi=(args.min_yi, args.max_yi))
    try:
        snap = export.export(open_store().load(), f, args.format, args.out, crs=args.crs, lang=args.lang)
    except export.ExportError as err:
        print(f"export failed: {err}", file=sys.stderr)
        return 1
    c = snap.metadata["counts"]
    print(f"wrote {snap.path} ({c['parcels']} parcels, {c['zones']} zones, {c['projects']} projects; "
          f"metadata {snap.metadata_path.name})")
    from geo.cli_audit import record
    from geo.io.audit import sha256_file
    return record("export", {"format": args.format, "crs": args.crs, "filter": f.to_dict(), "file": snap.path.name,
                             "sha256": sha256_file(snap.path), "counts": c})


# ------------------------------------------------------------------ factsheet

FACTSHEET_SUFFIXES = (".pdf", ".html")


def _factsheet_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("project_id", nargs="+")
    p.add_argument("--lang", default="zh", choices=LANGS)
    p.add_argument("-o", "--out", required=True, type=Path, help="FILE.pdf or FILE.html")


def _out_file_problem(path: Path, suffixes: tuple[str, ...]) -> str | None:
    """Why ``path`` cannot be written as an output file (None when it can be tried)."""
    if path.suffix.lower() not in suffixes:
        return f"{path}: the file name must end in {' or '.join(suffixes)}"
    if path.is_dir():
        return f"{path}: is a folder, not a file name"
    if len(path.name.encode("utf-8", "surrogateescape")) > 255:
        return f"{path}: the file name is longer than 255 bytes"
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{path}: {parent} is not a folder"
    return None


def run_factsheet(args: argparse.Namespace) -> int:
    """Write a parcel fact sheet (PDF or HTML by the file suffix).

    Parameters
    ----------
    args : argparse.Namespace
        ``project_id``, ``lang``, ``out``.

    Returns
    -------
    int
    """
    from geo.io import atomic, open_store
    from geo.io.contact import read_contact
    from geo.render import factsheet
    if problem := _out_file_problem(args.out, FACTSHEET_SUFFIXES):
        print(f"python -m geo factsheet: error: argument -o/--out: {problem}", file=sys.stderr)
        return 2
    contact, problems = read_contact()
    for problem in problems:
        print(f"warning: contact block left out: {problem}", file=sys.stderr)
    try:
        doc = factsheet.document(open_store().load(), args.project_id, args.out.suffix, args.lang, contact)
    except (KeyError, RuntimeError) as err:
        print(f"factsheet failed: {err.args[0] if err.args else err}", file=sys.stderr)
        return 1
    try:
        with atomic.atomic_path(args.out) as tmp:
            tmp.write_bytes(doc)
    except OSError as err:
        print(f"factsheet failed: cannot write {args.out}: {err.strerror or err}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    from geo.cli_audit import record
    from geo.io.audit import sha256_bytes
    return record("factsheet", {"ids": list(args.project_id), "format": args.out.suffix.lower().lstrip("."),
                                "lang": args.lang, "file": args.out.name, "sha256": sha256_bytes(doc)})


# ------------------------------------------------------------------ import

def _import_args(p: argparse.ArgumentParser) -> None:
    from geo.io.store import LAYERS, SOURCES
    p.add_argument("file", type=Path)
    p.add_argument("--layer", choices=LAYERS, default="parcels")
    p.add_argument("--crs", help="override the file's CRS: EPSG:4326 | EPSG:4490 | EPSG:4544 | EPSG:4523 | GCJ02 …")
    p.add_argument("--apply", action="store_true", help="store the acceptable matched features")
    p.add_argument("--who", default="cli", help="the name in the store's history; the audit trail records the "
                                                "operating-system account (local:<account>) with this name beside it")
    p.add_argument("--source", choices=SOURCES, default="surveyed")
    p.add_argument("--accept-flagged", action="store_true",
                   help="also store features with warnings (area off the plan, overlaps, other district, repaired)")
    p.add_argument("--based-on", metavar="VERSION",
                   help="store only if the layer is still at the version a review printed (else: a conflict)")


REVIEW_COLUMNS = ["feature", "source_id", "source_name", "match_id", "match_method", "area_mu", "plan_mu", "problems",
                  "acceptable"]


def _print_review(rv: Review) -> None:
    import pandas as pd
    print(f"{rv.loaded.file}: CRS {rv.loaded.crs_used} ({rv.loaded.crs_note}); " + "; ".join(rv.loaded.notes))
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(rv.report[REVIEW_COLUMNS].to_string(index=False))


def run_import(args: argparse.Namespace) -> int:
    """Review a boundary file against the plan data; with ``--apply`` store the acceptable features.

    Parameters
    ----------
    args : argparse.Namespace
        ``file``, ``layer``, ``crs``, ``apply``, ``who``, ``source``, ``accept_flagged``, ``based_on`` (the
        version a review printed: the store refuses the change when the layer moved on since).

    Returns
    -------
    int
        1 when the file is refused or nothing could be stored.
    """
    from geo.io import importer, open_store
    from geo.io.store import ConflictError, StoreError
    store = open_store()
    try:  # recovery, then the versions, then the data: a save by someone else in between is a conflict
        co = store.checkout()
    except StoreError as err:
        print(f"import refused: {err}", file=sys.stderr)
        return 1
    for done in co.recovered:
        print(f"store recovered: {done}", file=sys.stderr)
    data, based_on = co.data, co.versions[args.layer]
    if args.based_on and args.based_on != based_on:
        print(f"import not stored: the {args.layer} layer was changed since your review (version {based_on}, you "
              f"reviewed {args.based_on}): review again", file=sys.stderr)
        return 1
    try:
        rv = importer.review(args.file, data, args.layer, args.crs)
    except importer.ImportFailed as err:
        print(f"import refused: {err}", file=sys.stderr)
        return 1
    _print_review(rv)
    ok = rv.accepted(include_flagged=args.accept_flagged)
    flagged = int((rv.report.acceptable & rv.report.flagged).sum())
    more = f", {flagged} more with warnings (--accept-flagged)" if flagged else ""
    if not args.apply:
        print(f"{len(ok)} feature(s) ready to store{more}; reviewed against {args.layer} version {based_on}: "
              f"run again with --apply --based-on {based_on} to store them")
        return 0 if len(ok) else 1
    if not len(ok):
        why = f" ({flagged} feature(s) with warnings: review them, then --accept-flagged)" if flagged else ""
        print(f"nothing acceptable to store in {rv.loaded.file}{why}", file=sys.stderr)
        return 1
    try:
        ids = store.save(ok, args.layer, args.who, args.source, based_on, note=f"import {rv.loaded.file}")
    except (ConflictError, StoreError) as err:
        print(f"import not stored: {err}", file=sys.stderr)
        return 1
    print(f"stored {len(ids)} change(s): {', '.join(ids)}")
    from geo.cli_audit import record
    from geo.io.audit import sha256_file
    return record("import", {"layer": args.layer, "ids": sorted(map(str, ok.target_id)), "changes": list(ids),
                             "file": args.file.name, "sha256": sha256_file(args.file), "as": args.who,
                             "source": args.source})


# ------------------------------------------------------------------ audit (geo.cli_audit)

def _audit_args(p: argparse.ArgumentParser) -> None:
    from geo import cli_audit
    cli_audit.arguments(p)


def _run_audit(args: argparse.Namespace) -> int:
    from geo import cli_audit
    return cli_audit.run(args)


# ------------------------------------------------------------------ db (geo.cli_db)

def _db_args(p: argparse.ArgumentParser) -> None:
    from geo import cli_db
    cli_db.arguments(p)


def _run_db(args: argparse.Namespace) -> int:
    from geo import cli_db
    return cli_db.run(args)


# ------------------------------------------------------------------ tiles (geo.cli_tiles)

def _tiles_args(p: argparse.ArgumentParser) -> None:
    from geo import cli_tiles
    cli_tiles.arguments(p)


def _run_tiles(args: argparse.Namespace) -> int:
    from geo import cli_tiles
    return cli_tiles.run(args)


# ------------------------------------------------------------------ the table and main

COMMANDS: dict[str, Command] = {
    "validate": Command("check the shipped data; non-zero exit on data errors", _validate_args, run_validate),
    "build": Command("rebuild layers/, data/projects.csv, targets.csv, parcels.geojson from data/src",
                     _validate_args, run_build),
    "summary": Command("print aggregates per plan, sector, layout", _summary_args, run_summary),
    "export": Command("write a snapshot of a selection (same filters as the app)", _export_args, run_export),
    "factsheet": Command("write a parcel fact sheet (PDF or HTML by the file suffix)", _factsheet_args,
                         run_factsheet),
    "import": Command("import surveyed boundaries (review, then --apply to store)", _import_args, run_import),
    "audit": Command("check (verify) or list (show) the audit trail", _audit_args, _run_audit),
    "db": Command("the PostGIS store (SCIMAP_DATABASE_URL): init, load the files, dump, check against the files",
                  _db_args, _run_db),
    "tiles": Command("build the parcel layer's vector tile set (file store; the app also builds it when needed)",
                     _tiles_args, _run_tiles),
}
"""Subcommand → its help, arguments and function."""


def parser() -> argparse.ArgumentParser:
    """The command line's parser, one subparser per entry of :data:`COMMANDS`.

    Built at each call, so an export format registered before it is among ``--format``'s choices.

    Returns
    -------
    argparse.ArgumentParser
    """
    ap = argparse.ArgumentParser(prog="python -m geo", description="Science City planning map data tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, cmd in COMMANDS.items():
        cmd.arguments(sub.add_parser(name, help=cmd.help))
    return ap


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand.

    Parameters
    ----------
    argv : list of str, optional
        Default: ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status (argparse exits with 2 on bad arguments, naming the argument); any failure of a
        command is a one-line message on stderr and status 1, never a traceback.
    """
    args = parser().parse_args(argv)
    from geo.core.model import DataError
    try:
        return COMMANDS[args.cmd].run(args)
    except KeyboardInterrupt:
        print(f"python -m geo {args.cmd}: interrupted", file=sys.stderr)
        return 130
    except DataError as err:  # the store's data does not load: its problems, not a traceback
        print(f"python -m geo {args.cmd}: the data cannot be loaded:\n{err}", file=sys.stderr)
        return 1
    except OSError as err:
        where = f" {err.filename}" if err.filename else ""
        print(f"python -m geo {args.cmd}: cannot use{where}: {err.strerror or err}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 — the last guard: a message, never a traceback
        print(f"python -m geo {args.cmd}: failed: {type(err).__name__}: {str(err)[:300]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
