"""Column contracts of the shipped tables and layers.

Each spec maps a column to (kind, required). kind: 'str', 'float', 'int', 'enum:<a|b>', or 'plan'
(one of the plans of ``data/sources.csv``: :func:`for_plans` turns it into an enum of the catalogue's
ids, so no plan is named here). `required` means every row must have a value; optional columns may be
empty (missing is never coerced to 0).
"""

from __future__ import annotations

from collections.abc import Iterable

Spec = dict[str, tuple[str, bool]]

GEOMETRY_SOURCES = ("surveyed", "digitised", "gazetteer", "schematic")
PLAN = "plan"
"""Kind of a ``source_doc`` column: one of the catalogue's plans."""

SOURCES: Spec = {
    "source_doc": ("str", True),
    "seed_file": ("str", True),
    "title_zh": ("str", True),
    "title_en": ("str", True),
    "issuer_zh": ("str", False),
    "doc_number": ("str", False),
    "date_issued": ("str", False),
    "period": ("str", False),
    "kind": ("str", False),
}
"""``data/sources.csv``: one row per plan (see :mod:`geo.core.catalogue`)."""

PROJECTS: Spec = {
    "project_id": ("str", True),
    "name_zh": ("str", True),
    "name_en": ("str", True),
    "pinyin": ("str", False),
    "kind": ("str", True),
    "sector_zh": ("str", True),
    "sector_en": ("str", True),
    "sector_group_zh": ("str", True),
    "sector_group_en": ("str", True),
    "zone_id": ("str", True),
    "region_zh": ("str", False),
    "function_zh": ("str", False),
    "function_en": ("str", False),
    "land_mu": ("float", False),
    "land_mu_text": ("str", False),
    "land_note": ("str", False),
    "floor_area_m2": ("float", False),
    "floor_area_text": ("str", False),
    "output_target_yi": ("float", False),
    "output_target_text": ("str", False),
    "target_year": ("int", False),
    "investment_yi": ("float", False),
    "investment_text": ("str", False),
    "source_doc": (PLAN, True),
    "source_ref": ("str", True),
    "quote_zh": ("str", False),
    "notes": ("str", False),
}

TARGETS: Spec = {
    "target_id": ("str", True),
    "indicator_id": ("str", True),
    "scope_zh": ("str", True),
    "sector_zh": ("str", False),
    "indicator_zh": ("str", True),
    "indicator_en": ("str", True),
    "unit_zh": ("str", False),
    "unit_en": ("str", False),
    "year": ("int", False),
    "value": ("float", False),
    "value_text": ("str", False),
    "value_kind": ("enum:baseline|target", True),
    "comparator": ("enum:=|>=|>|<=|<|~", False),
    "attribute": ("str", False),
    "source_doc": (PLAN, True),
    "source_ref": ("str", True),
    "quote_zh": ("str", False),
    "notes": ("str", False),
}

ZONES: Spec = {
    "zone_id": ("str", True),
    "layer_id": ("str", True),
    "name_zh": ("str", True),
    "name_en": ("str", True),
    "pinyin": ("str", False),
    "layout": ("str", False),
    "layout_id": ("str", False),
    "role_zh": ("str", False),
    "role_en": ("str", False),
    "parent_id": ("str", False),
    "district_zh": ("str", False),
    "geom_kind": ("enum:area|point|line", True),
    "geometry_source": (f"enum:{'|'.join(GEOMETRY_SOURCES)}", True),
    "position_method": ("str", True),
    "position_confidence": ("enum:high|medium|low|none", True),
    "position_source": ("str", True),
    "position_note": ("str", False),
    "extent_method": ("str", True),
    "area_mu_plan": ("float", False),
    "sectors_zh": ("str", False),
    "source_doc": (PLAN, True),
    "source_ref": ("str", False),
    "quote_zh": ("str", False),
}

PARCELS: Spec = {
    "parcel_id": ("str", True),
    "project_id": ("str", True),
    "area_mu": ("float", True),
    "geometry_source": (f"enum:{'|'.join(GEOMETRY_SOURCES)}", True),
    "zone_id": ("str", True),
    "placement_note": ("str", False),
}

FUNCTIONAL_AREAS: Spec = {
    "area_id": ("str", True),
    "name_zh": ("str", True),
    "name_en": ("str", True),
    "kind": ("enum:district|functional", True),
    "members": ("str", True),
    "source_doc": (PLAN, True),
    "source_ref": ("str", True),
    "quote_zh": ("str", True),
    "note": ("str", False),
}
"""``data/src/functional_areas.csv``: districts and functional areas the plans name, with the rule that
decides membership (``members``: ``;``-separated ``plan:<source_doc>``, ``zone:<zone_id>``,
``district:<name>``; see :mod:`geo.core.areas`)."""

MANIFEST_LAYER_KEYS = (
    "layer_id", "title_zh", "title_en", "kind", "file", "default_style",
    "source_docs", "geometry", "feature_count",
)


def for_plans(spec: Spec, plan_ids: Iterable[str]) -> Spec:
    """The spec with its ``plan`` columns checked against the catalogue's plans.

    Parameters
    ----------
    spec : dict
        A column contract (e.g. :data:`PROJECTS`).
    plan_ids : iterable of str
        The ``source_doc`` ids of ``data/sources.csv``. Without any (the table could not be read,
        which is reported on its own) a ``plan`` column is only checked as text.

    Returns
    -------
    dict
        A copy in which kind ``plan`` reads ``enum:<id|id|…>``.
    """
    ids = list(plan_ids)
    kind = f"enum:{'|'.join(ids)}" if ids else "str"
    return {col: ((kind, req) if typ == PLAN else (typ, req)) for col, (typ, req) in spec.items()}
