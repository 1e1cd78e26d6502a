"""Column contracts of the shipped tables and layers.

Each spec maps a column to (kind, required). kind: 'str', 'float', 'int', 'enum:<a|b>'.
`required` means every row must have a value; optional columns may be empty (missing is
never coerced to 0).
"""

from __future__ import annotations

GEOMETRY_SOURCES = ("surveyed", "digitised", "gazetteer", "schematic")
DOC_IDS = ("HTS", "YZ", "LJ", "JLP", "STI")

PROJECTS = {
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
    "source_doc": (f"enum:{'|'.join(DOC_IDS)}", True),
    "source_ref": ("str", True),
    "quote_zh": ("str", False),
    "notes": ("str", False),
}

TARGETS = {
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
    "source_doc": (f"enum:{'|'.join(DOC_IDS)}", True),
    "source_ref": ("str", True),
    "quote_zh": ("str", False),
    "notes": ("str", False),
}

ZONES = {
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
    "source_doc": (f"enum:{'|'.join(DOC_IDS)}", True),
    "source_ref": ("str", False),
    "quote_zh": ("str", False),
}

PARCELS = {
    "parcel_id": ("str", True),
    "project_id": ("str", True),
    "area_mu": ("float", True),
    "geometry_source": (f"enum:{'|'.join(GEOMETRY_SOURCES)}", True),
    "zone_id": ("str", True),
    "placement_note": ("str", False),
}

MANIFEST_LAYER_KEYS = (
    "layer_id", "title_zh", "title_en", "kind", "file", "default_style",
    "source_docs", "geometry", "feature_count",
)
