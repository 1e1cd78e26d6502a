"""Command line: `python -m geo {validate,build,summary}`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo import config as paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geo", description="Science City planning map data tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("validate", help="check the shipped data; non-zero exit on data errors")
    v.add_argument("--data", type=Path, help="data folder (default: data/)")
    v.add_argument("--layers", type=Path, help="layers folder (default: layers/)")
    b = sub.add_parser("build", help="rebuild layers/, data/projects.csv, targets.csv, parcels.geojson from data/src")
    b.add_argument("--data", type=Path)
    b.add_argument("--layers", type=Path)
    s = sub.add_parser("summary", help="print aggregates per plan, sector, layout")
    s.add_argument("--by", default="sector_zh", help="sector_zh | source_doc | district | zone_id | layout_id")
    e = sub.add_parser("export", help="write a snapshot of a selection (same filters as the app)")
    e.add_argument("--format", required=True, choices=["geojson", "gpkg", "shp", "kml", "csv", "xlsx", "html"])
    e.add_argument("--crs", default="EPSG:4326", help="EPSG:4326 | EPSG:4490 | EPSG:4544 | GCJ02")
    e.add_argument("-o", "--out", required=True, type=Path, help="output folder")
    e.add_argument("--plan", action="append", default=[], help="source document id (HTS, STI, YZ, LJ, JLP)")
    e.add_argument("--layout", action="append", default=[], help="layout or layer id")
    e.add_argument("--sector", action="append", default=[], help="sector or sector group (Chinese or English)")
    e.add_argument("--district", action="append", default=[])
    e.add_argument("--zone", action="append", default=[], help="zone id (its sub-zones included)")
    e.add_argument("--geometry-source", action="append", default=[], dest="geoms")
    e.add_argument("--min-mu", type=float)
    e.add_argument("--max-mu", type=float)
    e.add_argument("--min-yi", type=float)
    e.add_argument("--max-yi", type=float)
    e.add_argument("--lang", default="zh", choices=["zh", "en"])
    fs = sub.add_parser("factsheet", help="write a parcel fact sheet (PDF or HTML by the file suffix)")
    fs.add_argument("project_id", nargs="+")
    fs.add_argument("--lang", default="zh", choices=["zh", "en"])
    fs.add_argument("-o", "--out", required=True, type=Path, help="FILE.pdf or FILE.html")
    im = sub.add_parser("import", help="import surveyed boundaries (review, then --apply to store)")
    im.add_argument("file", type=Path)
    im.add_argument("--layer", choices=["parcels", "zones"], default="parcels")
    im.add_argument("--crs", help="override the file's CRS: EPSG:4326 | EPSG:4490 | EPSG:4544 | EPSG:4523 | GCJ02 …")
    im.add_argument("--apply", action="store_true", help="store the acceptable matched features")
    im.add_argument("--who", default="cli")
    im.add_argument("--source", choices=["surveyed", "digitised"], default="surveyed")
    im.add_argument("--accept-flagged", action="store_true",
                    help="also store features with warnings (area off the plan, overlaps, other district, repaired)")
    args = ap.parse_args(argv)

    if args.cmd == "validate":
        from geo.pipeline import validate
        return validate.main(data_dir=args.data, layers_dir=args.layers)
    if args.cmd == "build":
        from geo.pipeline import build
        try:
            counts = build.build(data_dir=args.data, layers_dir=args.layers,
                                 src_dir=(args.data / "src") if args.data else None)
        except build.BuildError as e:
            print(f"build failed: {e}", file=sys.stderr)
            return 1
        print("built: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    if args.cmd == "export":
        from geo.core.filter import Filter
        from geo.io import export
        from geo.io.files import load_all
        f = Filter(plans=args.plan, layouts=args.layout, sectors=args.sector, districts=args.district,
                   zones=args.zone, geometry_sources=args.geoms, land_mu=(args.min_mu, args.max_mu),
                   output_yi=(args.min_yi, args.max_yi))
        try:
            snap = export.export(load_all(), f, args.format, args.out, crs=args.crs, lang=args.lang)
        except export.ExportError as err:
            print(f"export failed: {err}", file=sys.stderr)
            return 1
        c = snap.metadata["counts"]
        print(f"wrote {snap.path} ({c['parcels']} parcels, {c['zones']} zones, {c['projects']} projects; "
              f"metadata {snap.metadata_path.name})")
        return 0
    if args.cmd == "factsheet":
        from geo.io.files import load_all
        from geo.render import factsheet
        try:
            out = factsheet.write_factsheet(load_all(), args.project_id, args.out, lang=args.lang)
        except (KeyError, RuntimeError) as err:
            print(f"factsheet failed: {err}", file=sys.stderr)
            return 1
        print(f"wrote {out}")
        return 0
    if args.cmd == "import":
        import pandas as pd

        from geo.io import importer, store
        from geo.io.files import load_all
        data = load_all()
        try:
            rv = importer.review(args.file, data, args.layer, args.crs)
        except importer.ImportFailed as err:
            print(f"import refused: {err}", file=sys.stderr)
            return 1
        print(f"{rv.loaded.file}: CRS {rv.loaded.crs_used} ({rv.loaded.crs_note}); " + "; ".join(rv.loaded.notes))
        cols = ["feature", "source_id", "source_name", "match_id", "match_method", "area_mu", "plan_mu", "problems", "acceptable"]
        with pd.option_context("display.width", 200, "display.max_colwidth", 80):
            print(rv.report[cols].to_string(index=False))
        ok = rv.accepted(include_flagged=args.accept_flagged)
        flagged = int((rv.report.acceptable & rv.report.flagged).sum())
        if not args.apply:
            print(f"{len(ok)} feature(s) ready to store" + (f", {flagged} more with warnings (--accept-flagged)" if flagged else "")
                  + "; run again with --apply to store them")
            return 0 if len(ok) else 1
        if not len(ok):
            print(f"nothing acceptable to store in {rv.loaded.file}" +
                  (f" ({flagged} feature(s) with warnings: review them, then --accept-flagged)" if flagged else ""),
                  file=sys.stderr)
            return 1
        target = paths.settings().data_dir / "parcels.geojson" if args.layer == "parcels" else None
        ids = store.save(ok, args.layer, args.who, args.source, store.version(target) if target else None, data=data,
                         note=f"import {rv.loaded.file}")
        print(f"stored {len(ids)} change(s): {', '.join(ids)}")
        return 0
    if args.cmd == "summary":
        import pandas as pd

        from geo.core import aggregate
        from geo.io.files import load_all
        d = load_all()
        p = d.enriched
        if args.by in ("zone_id", "layout_id"):
            t = aggregate.aggregate_memberships(p, d.memberships, args.by)
        else:
            t = aggregate.aggregate(p, args.by)
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(t.to_string(index=False))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
