"""Command line: `python -m geo {validate,build,summary}`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    args = ap.parse_args(argv)

    if args.cmd == "validate":
        from geo import validate
        return validate.main(data_dir=args.data, layers_dir=args.layers)
    if args.cmd == "build":
        from geo import build
        try:
            counts = build.build(data_dir=args.data, layers_dir=args.layers,
                                 src_dir=(args.data / "src") if args.data else None)
        except build.BuildError as e:
            print(f"build failed: {e}", file=sys.stderr)
            return 1
        print("built: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    if args.cmd == "summary":
        import pandas as pd

        from geo import aggregate, join
        from geo.load import load_all
        d = load_all()
        p = join.projects_enriched(d)
        if args.by in ("zone_id", "layout_id"):
            t = aggregate.aggregate_memberships(p, join.project_memberships(d), args.by)
        else:
            t = aggregate.aggregate(p, args.by)
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(t.to_string(index=False))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
