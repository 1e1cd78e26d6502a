"""Command line: ``python -m geo {validate,build,summary,export,factsheet,import}``.

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
    """Check the data; exit status 1 on data errors.

    Parameters
    ----------
    args : argparse.Namespace
        ``data``, ``layers``.

    Returns
    -------
    int
    """
    from geo.pipeline import validate
    return validate.main(data_dir=args.data, layers_dir=args.layers)


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

def _summary_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", default="sector_zh",
                   help="a column of the projects: sector_zh | source_doc | district | zone_id | layout_id …")


def run_summary(args: argparse.Namespace) -> int:
    """Print aggregates per plan, sector, zone, layout … (``--by``).

    Parameters
    ----------
    args : argparse.Namespace
        ``by``.

    Returns
    -------
    int
        2 when ``--by`` names no column.
    """
    import pandas as pd

    from geo.core import aggregate
    from geo.io import open_store
    d = open_store().load()
    p = d.enriched
    if args.by in SUMMARY_MEMBERSHIP_KEYS:
        t = aggregate.aggregate_memberships(p, d.memberships, args.by)
    elif args.by in p.columns:
        t = aggregate.aggregate(p, args.by)
    else:
        known = ", ".join(sorted(set(p.columns) | set(SUMMARY_MEMBERSHIP_KEYS)))
        print(f"python -m geo summary: error: argument --by: no column {args.by!r} (choose one of {known})",
              file=sys.stderr)
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
        p.add_argument(name, type=float)
    p.add_argument("--lang", default="zh", choices=LANGS)


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
    return 0


# ------------------------------------------------------------------ factsheet

def _factsheet_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("project_id", nargs="+")
    p.add_argument("--lang", default="zh", choices=LANGS)
    p.add_argument("-o", "--out", required=True, type=Path, help="FILE.pdf or FILE.html")


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
    from geo.io.contact import load_contact
    from geo.render import factsheet
    try:
        doc = factsheet.document(open_store().load(), args.project_id, args.out.suffix, args.lang, load_contact())
    except (KeyError, RuntimeError) as err:
        print(f"factsheet failed: {err}", file=sys.stderr)
        return 1
    with atomic.atomic_path(args.out) as tmp:
        tmp.write_bytes(doc)
    print(f"wrote {args.out}")
    return 0


# ------------------------------------------------------------------ import

def _import_args(p: argparse.ArgumentParser) -> None:
    from geo.io.store import LAYERS, SOURCES
    p.add_argument("file", type=Path)
    p.add_argument("--layer", choices=LAYERS, default="parcels")
    p.add_argument("--crs", help="override the file's CRS: EPSG:4326 | EPSG:4490 | EPSG:4544 | EPSG:4523 | GCJ02 …")
    p.add_argument("--apply", action="store_true", help="store the acceptable matched features")
    p.add_argument("--who", default="cli")
    p.add_argument("--source", choices=SOURCES, default="surveyed")
    p.add_argument("--accept-flagged", action="store_true",
                   help="also store features with warnings (area off the plan, overlaps, other district, repaired)")


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
        ``file``, ``layer``, ``crs``, ``apply``, ``who``, ``source``, ``accept_flagged``.

    Returns
    -------
    int
        1 when the file is refused or nothing could be stored.
    """
    from geo.io import importer, open_store
    from geo.io.store import ConflictError, StoreError
    store = open_store()
    data, based_on = store.load(), store.version(args.layer)
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
        print(f"{len(ok)} feature(s) ready to store{more}; run again with --apply to store them")
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
    return 0


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
        The exit status (argparse exits with 2 on bad arguments, naming the argument).
    """
    args = parser().parse_args(argv)
    return COMMANDS[args.cmd].run(args)


if __name__ == "__main__":
    sys.exit(main())
