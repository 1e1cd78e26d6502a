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
from shapely import STRtree

from geo.config import AREA_DRIFT_REL, AREA_PROP_REL, SURVEYED_DRIFT_WARN_REL
from geo.core import areas, consistency, extent
from geo.core.crs import areas_mu
from geo.core.missing import is_missing
from geo.core.model import Issue, PlanData
from geo.io.files import FileLayout, load_all


def check_integrity(d: PlanData) -> list[Issue]:
    """Ids unique, every reference joins: zones ↔ parents, projects → zones and plans, parcels → projects.

    Parameters
    ----------
    d : PlanData
        Loaded leniently (``strict=False``).

    Returns
    -------
    list of Issue
        Errors, and a warning where a place's stated district disagrees with its position.
    """
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
    docs = set(d.catalogue.plan_ids)
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


PARCELS_FILE = "data/parcels.geojson"


def _area_issues(d: PlanData, polys: np.ndarray, measured: np.ndarray) -> list[Issue]:
    """Stored 亩 against the geometry; the geometry against the plan's 亩."""
    issues: list[Issue] = []
    proj = d.projects.drop_duplicates("project_id").set_index("project_id").land_mu
    for i, r in enumerate(d.parcels.itertuples()):
        if not polys[i]:
            continue
        where = f"feature {i} ({r.parcel_id})"
        if not is_missing(r.area_mu) and abs(measured[i] - r.area_mu) > AREA_PROP_REL * measured[i]:
            issues.append(Issue("error", PARCELS_FILE, where,
                                f"area_mu {r.area_mu:g} but its geometry measures {measured[i]:.3f} 亩"))
        plan = proj.get(r.project_id, np.nan)
        if is_missing(plan) or plan <= 0:
            continue
        drift = (measured[i] - plan) / plan
        if r.geometry_source == "schematic" and abs(drift) > AREA_DRIFT_REL:
            issues.append(Issue("error", PARCELS_FILE, where, f"schematic footprint measures {measured[i]:.1f} 亩, "
                                f"plan says {plan:g} 亩 ({drift:+.2%}, limit ±{AREA_DRIFT_REL:.1%})"))
        elif r.geometry_source != "schematic" and abs(drift) > SURVEYED_DRIFT_WARN_REL:
            issues.append(Issue("warning", PARCELS_FILE, where, f"{r.geometry_source} boundary measures "
                                f"{measured[i]:.1f} 亩, plan says {plan:g} 亩 ({drift:+.1%})"))
    return issues


def _placement_issues(d: PlanData, polys: np.ndarray) -> list[Issue]:
    """Parcels overlapping each other (errors) or lying outside their zone (warnings)."""
    issues: list[Issue] = []
    g = np.where(polys, d.parcels.geometry.values, None)
    left, right = STRtree(g).query(g, predicate="intersects")
    for a, b in zip(left, right, strict=True):
        if a < b and g[a].intersection(g[b]).area > 0:
            issues.append(Issue("error", PARCELS_FILE, f"features {a} and {b}",
                                f"{d.parcels.parcel_id.iloc[a]} overlaps {d.parcels.parcel_id.iloc[b]}"))
    zones = d.zones.drop_duplicates("zone_id").set_index("zone_id").geometry
    for i, r in enumerate(d.parcels.itertuples()):
        if r.zone_id in zones.index and polys[i] and not zones.loc[r.zone_id].buffer(1e-6).contains(r.geometry):
            issues.append(Issue("warning", PARCELS_FILE, f"feature {i} ({r.parcel_id})",
                                f"lies outside its zone {r.zone_id}"))
    return issues


def check_parcel_geometry(d: PlanData) -> list[Issue]:
    """Parcels are polygons whose areas match their stored and planned 亩, without overlaps.

    Parameters
    ----------
    d : PlanData
        Loaded leniently (``strict=False``).

    Returns
    -------
    list of Issue
        Errors for non-polygons, area drift (:data:`geo.config.AREA_PROP_REL`,
        :data:`geo.config.AREA_DRIFT_REL`) and overlaps; warnings for surveyed boundaries far off the
        plan and parcels outside their zone.
    """
    issues: list[Issue] = []
    if len(d.parcels) == 0:
        return issues
    geoms = d.parcels.geometry.values
    is_poly = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon") for g in geoms])
    for i in np.where(~is_poly)[0]:
        issues.append(Issue("error", PARCELS_FILE, f"feature {i} ({d.parcels.parcel_id.iloc[i]})",
                            f"is a {getattr(geoms[i], 'geom_type', None)}, parcels must be polygons"))
    # measure only geometries the loader found valid and inside the study area
    polys = is_poly & np.array([g is not None and g.is_valid and extent.in_study_area(g.bounds) for g in geoms])
    measured = np.full(len(geoms), np.nan)
    measured[polys] = areas_mu(geoms[polys])
    return issues + _area_issues(d, polys, measured) + _placement_issues(d, polys)


def _norm(text: str) -> str:
    return re.sub(r"[\s|｜]+", "", str(text))


def check_quotes(d: PlanData, data_dir: Path | None = None) -> list[Issue]:
    """Every quote_zh occurs verbatim (up to white space and table bars) in the text of its plan.

    '…' separates quoted fragments; each must occur.

    Parameters
    ----------
    d : PlanData
        Loaded leniently (``strict=False``).
    data_dir : Path, optional
        The data folder the plans' ``seed_file`` paths are relative to (default: the settings').

    Returns
    -------
    list of Issue
        An error per quote not found, and per plan text that is missing.
    """
    data_dir = FileLayout.resolve(data_dir).data_dir
    issues: list[Issue] = []
    texts = {}
    for plan in d.catalogue.plans:
        try:
            texts[plan.source_doc] = _norm((data_dir / plan.seed_file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            issues.append(Issue("error", "data/sources.csv", plan.source_doc, f"plan text {plan.seed_file} not found"))
    tables = [("data/projects.csv", d.projects, "project_id", "row"), ("data/targets.csv", d.targets, "target_id", "row"),
              ("layers/*.geojson", d.zones, "zone_id", "feature"),
              ("data/src/functional_areas.csv", areas.area_table(d), "area_id", "row")]
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


def check_functional_areas(d: PlanData) -> list[Issue]:
    """Every functional area's membership rule names things that exist: plans of the catalogue, zones
    of the layers, districts of the district layer; a ``district`` row is a known district.

    Parameters
    ----------
    d : PlanData

    Returns
    -------
    list of Issue
        An error per unknown or malformed term (a missing quote is a schema error of the loader).
    """
    file = "data/src/functional_areas.csv"
    plans, zones, districts = set(d.catalogue.plan_ids), set(d.zones.zone_id), set(areas.district_names(d))
    known = {"plan": plans, "zone": zones, "district": districts}
    issues = []
    for i, r in enumerate(areas.area_table(d).itertuples()):
        where = f"row {i + 2} ({r.area_id})"
        terms = areas.parse_members(r.members)
        if not terms:
            issues.append(Issue("error", file, where, "members is empty: say which plans, zones or districts belong"))
        for kind, value in terms:
            if not kind:
                issues.append(Issue("error", file, where, f"member '{value}' is not plan:<id>, zone:<id> or district:<name>"))
            elif value not in known[kind]:
                issues.append(Issue("error", file, where, f"member {kind}:{value} is unknown (no such {kind})"))
        if r.kind == "district" and r.name_zh not in districts:
            issues.append(Issue("error", file, where, f"district '{r.name_zh}' is not in the district layer"))
    return issues


def read_checks(path: Path) -> pd.DataFrame:
    """Read the plans' consistency checks (``data/checks.csv``).

    Parameters
    ----------
    path : Path

    Returns
    -------
    pandas.DataFrame
        Columns :data:`geo.core.consistency.CHECK_COLUMNS` as text.

    Raises
    ------
    ValueError
        When a column is missing.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in consistency.CHECK_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    return df


def check_plans(d: PlanData, checks_path: Path | None = None) -> tuple[list[Issue], list[consistency.CheckResult]]:
    """Run the plans' own consistency checks (``data/checks.csv``): do their tables add up to their totals?

    Parameters
    ----------
    d : PlanData
    checks_path : Path, optional
        Default: ``checks.csv`` in the settings' data folder.

    Returns
    -------
    issues : list of Issue
        A warning per disagreement (the plan's, not ours), or an error when the checks cannot run.
    results : list of CheckResult
        Every check, agreeing or not.
    """
    checks_path = Path(checks_path or FileLayout.resolve().checks)
    if not checks_path.exists():
        return [Issue("warning", str(checks_path), "file", "no consistency checks defined")], []
    try:
        results = consistency.run_checks(d.projects, d.targets, read_checks(checks_path))
    except Exception as e:  # a broken table makes a check unrunnable: say which and why
        return [Issue("error", str(checks_path), "checks", f"cannot run the plan consistency checks: {e}")], []
    issues = [Issue("warning", "plans", r.check_id, r.message()) for r in results if not r.ok]
    return issues, results


def validate(data_dir: Path | None = None,
             layers_dir: Path | None = None) -> tuple[list[Issue], list[consistency.CheckResult]]:
    """Check a data folder and its layers: schema, integrity, geometry, quotes, the plans' own sums.

    Parameters
    ----------
    data_dir, layers_dir : Path, optional
        Default: the settings' folders.

    Returns
    -------
    issues : list of Issue
    results : list of CheckResult
    """
    d = load_all(data_dir, layers_dir, strict=False)
    issues = list(d.issues)
    if any(i.level == "error" and i.where in ("file", "header") for i in issues):
        return issues, []  # a file that cannot be read as a table: fix that first
    issues += check_integrity(d)
    issues += check_parcel_geometry(d)
    issues += check_quotes(d, data_dir)
    issues += check_functional_areas(d)
    plan_issues, results = check_plans(d, FileLayout.resolve(data_dir, layers_dir).checks)
    return issues + plan_issues, results


def main(data_dir: Path | None = None, layers_dir: Path | None = None) -> int:
    """``python -m geo validate``: print every error and warning, then the counts.

    Parameters
    ----------
    data_dir, layers_dir : Path, optional
        Default: the settings' folders.

    Returns
    -------
    int
        Exit status: 1 when there are errors, else 0.
    """
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
