"""`python -m geo validate`: is the shipped data fit to publish?

Errors (exit status 1): schema, CRS, geometry validity, duplicate ids, join orphans, parcel
areas that drift from their declared 亩, overlapping parcels. Warnings (exit 0): the plans'
own inconsistencies, parcels placed outside their zone, district disagreements.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from geo import config as paths
from geo.core import consistency, extent
from geo.core.crs import areas_mu
from geo.core.model import Issue, PlanData
from geo.io.files import load_all

AREA_DRIFT_REL = 0.005  # schematic parcels must match the plan's 亩 within 0.5 %
AREA_PROP_REL = 0.001  # a stored area_mu must match its own geometry within 0.1 %


def check_integrity(d: PlanData) -> list[Issue]:
    issues: list[Issue] = []
    pf, zf, rf = "data/projects.csv", "layers/*.geojson", "data/parcels.geojson"
    # ids unique across all layers
    dup = d.zones.zone_id[d.zones.zone_id.duplicated()]
    for z in sorted(set(dup)):
        layers = sorted(d.zones.layer_id[d.zones.zone_id == z])
        issues.append(Issue("error", zf, f"zone {z}", f"zone_id used more than once (layers {layers})"))
    zone_ids = set(d.zones.zone_id)
    for r in d.zones.itertuples():
        if r.parent_id and r.parent_id not in zone_ids:
            issues.append(Issue("error", f"layers/{r.layer_id}.geojson", f"feature {r.zone_id}",
                                f"parent_id '{r.parent_id}' is not a zone"))
        if r.district_zh and getattr(r, "district_pip", None) and r.district_zh != r.district_pip:
            issues.append(Issue("warning", f"layers/{r.layer_id}.geojson", f"feature {r.zone_id} ({r.name_zh})",
                                f"plan/curation says {r.district_zh} but its approximate position falls in "
                                f"{r.district_pip}"))
    docs = set(d.sources.source_doc) if len(d.sources) else set()
    for i, r in enumerate(d.projects.itertuples()):
        where = f"row {i + 2} ({r.project_id})"
        if r.zone_id not in zone_ids:
            issues.append(Issue("error", pf, where, f"zone_id '{r.zone_id}' does not join to any zone"))
        if docs and r.source_doc not in docs:
            issues.append(Issue("error", pf, where, f"source_doc '{r.source_doc}' is not in data/sources.csv"))
    proj = d.projects.set_index("project_id")
    for i, r in enumerate(d.parcels.itertuples()):
        where = f"feature {i} ({r.parcel_id})"
        if r.project_id not in proj.index:
            issues.append(Issue("error", rf, where, f"project_id '{r.project_id}' is not in data/projects.csv"))
        if r.zone_id not in zone_ids:
            issues.append(Issue("error", rf, where, f"zone_id '{r.zone_id}' is not a zone"))
    dupp = d.parcels.project_id[d.parcels.project_id.duplicated()]
    for p in sorted(set(dupp)):
        issues.append(Issue("error", rf, f"project {p}", "has more than one parcel"))
    has_land = d.projects[d.projects.land_mu.notna() & (d.projects.land_mu > 0)]
    for pid in sorted(set(has_land.project_id) - set(d.parcels.project_id)):
        issues.append(Issue("error", rf, f"project {pid}", "has a land area in the plan but no parcel"))
    return issues


def check_parcel_geometry(d: PlanData) -> list[Issue]:
    issues: list[Issue] = []
    rf = "data/parcels.geojson"
    if len(d.parcels) == 0:
        return issues
    geoms = d.parcels.geometry.values
    is_poly = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon") for g in geoms])
    for i in np.where(~is_poly)[0]:
        issues.append(Issue("error", rf, f"feature {i} ({d.parcels.parcel_id.iloc[i]})",
                            f"is a {getattr(geoms[i], 'geom_type', None)}, parcels must be polygons"))
    # measure only geometries the loader found valid and inside the study area
    polys = is_poly & np.array([g is not None and g.is_valid and extent.in_study_area(g.bounds) for g in geoms])
    measured = np.full(len(geoms), np.nan)
    measured[polys] = areas_mu(geoms[polys])
    proj = d.projects.drop_duplicates("project_id").set_index("project_id").land_mu
    for i, r in enumerate(d.parcels.itertuples()):
        if not polys[i]:
            continue
        where = f"feature {i} ({r.parcel_id})"
        if r.area_mu is not None and not pd.isna(r.area_mu) and abs(measured[i] - r.area_mu) > AREA_PROP_REL * measured[i]:
            issues.append(Issue("error", rf, where, f"area_mu {r.area_mu:g} but its geometry measures {measured[i]:.3f} 亩"))
        plan = proj.get(r.project_id, np.nan)
        if not pd.isna(plan) and plan > 0:
            drift = (measured[i] - plan) / plan
            if r.geometry_source == "schematic" and abs(drift) > AREA_DRIFT_REL:
                issues.append(Issue("error", rf, where, f"schematic footprint measures {measured[i]:.1f} 亩, "
                                    f"plan says {plan:g} 亩 ({drift:+.2%}, limit ±{AREA_DRIFT_REL:.1%})"))
            elif r.geometry_source != "schematic" and abs(drift) > 0.2:
                issues.append(Issue("warning", rf, where, f"{r.geometry_source} boundary measures {measured[i]:.1f} 亩, "
                                    f"plan says {plan:g} 亩 ({drift:+.1%})"))
    # overlaps
    from shapely import STRtree
    g = np.where(polys, d.parcels.geometry.values, None)
    tree = STRtree(g)
    left, right = tree.query(g, predicate="intersects")
    for a, b in zip(left, right):
        if a < b and g[a].intersection(g[b]).area > 0:
            issues.append(Issue("error", rf, f"features {a} and {b}",
                                f"{d.parcels.parcel_id.iloc[a]} overlaps {d.parcels.parcel_id.iloc[b]}"))
    zones = d.zones.drop_duplicates("zone_id").set_index("zone_id").geometry
    for i, r in enumerate(d.parcels.itertuples()):
        if r.zone_id in zones.index and polys[i] and not zones.loc[r.zone_id].buffer(1e-6).contains(r.geometry):
            issues.append(Issue("warning", rf, f"feature {i} ({r.parcel_id})", f"lies outside its zone {r.zone_id}"))
    return issues


def _norm(text: str) -> str:
    return re.sub(r"[\s|｜]+", "", str(text))


def check_quotes(d: PlanData) -> list[Issue]:
    """Every quote_zh must occur verbatim (up to white space and table bars) in its plan;
    '…' separates quoted fragments."""
    issues: list[Issue] = []
    texts = {}
    for r in d.sources.itertuples():
        path = paths.ROOT / r.seed_file
        try:
            texts[r.source_doc] = _norm(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            issues.append(Issue("error", "data/sources.csv", r.source_doc, f"plan text {r.seed_file} not found"))
    tables = [("data/projects.csv", d.projects, "project_id", "row"), ("data/targets.csv", d.targets, "target_id", "row"),
              ("layers/*.geojson", d.zones, "zone_id", "feature")]
    for file, df, idc, kind in tables:
        for i, r in enumerate(df.itertuples()):
            q, doc = getattr(r, "quote_zh", ""), r.source_doc
            if not q or doc not in texts:
                continue
            frags = [_norm(f) for f in re.split(r"…|\.\.\.", q) if _norm(f)]
            if not all(f in texts[doc] for f in frags):
                where = f"{kind} {i + 2 if kind == 'row' else i} ({getattr(r, idc)})"
                issues.append(Issue("error", file, where, f"quote_zh “{q[:60]}” is not in the text of {doc}"))
    return issues


def check_plans(d: PlanData, checks_path: Path | None = None) -> tuple[list[Issue], list[consistency.CheckResult]]:
    checks_path = Path(checks_path or paths.settings().data_dir / "checks.csv")
    if not checks_path.exists():
        return [Issue("warning", str(checks_path), "file", "no consistency checks defined")], []
    try:
        results = consistency.run_checks(d.projects, d.targets, consistency.load_checks(checks_path))
    except Exception as e:  # a broken table makes a check unrunnable: say which and why
        return [Issue("error", str(checks_path), "checks", f"cannot run the plan consistency checks: {e}")], []
    issues = [Issue("warning", "plans", r.check_id, r.message()) for r in results if not r.ok]
    return issues, results


def validate(data_dir: Path | None = None, layers_dir: Path | None = None) -> tuple[list[Issue], list]:
    d = load_all(data_dir, layers_dir, strict=False)
    issues = list(d.issues)
    if any(i.level == "error" and i.where in ("file", "header") for i in issues):
        return issues, []  # a file that cannot be read as a table: fix that first
    issues += check_integrity(d)
    issues += check_parcel_geometry(d)
    issues += check_quotes(d)
    plan_issues, results = check_plans(d, Path(data_dir) / "checks.csv" if data_dir else None)
    return issues + plan_issues, results


def main(argv: list[str] | None = None, data_dir=None, layers_dir=None) -> int:
    issues, results = validate(data_dir, layers_dir)
    errors = [i for i in issues if i.level == "error"]
    warnings = [i for i in issues if i.level == "warning"]
    for i in errors + warnings:
        print(i)
    if results:
        print(f"\nPlan consistency: {sum(r.ok for r in results)} of {len(results)} stated totals agree with their tables.")
    print(f"\n{len(errors)} error(s), {len(warnings)} warning(s).")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
