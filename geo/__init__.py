"""Science City planning map — the geo library.

Modules, one job each:
  crs        projected areas and distances (CGCS2000 Gauss–Krüger), 亩 conversions
  gcj02      WGS84 ↔ GCJ-02 for Gaode/Amap basemaps
  schema     column contracts of the shipped tables
  io         atomic writes, JSON/CSV helpers
  load       typed loading with schema checks → PlanData
  positions  resolve a place's position hint against the reference gazetteer
  build      data/src/*.csv → layers/*.geojson, data/*.csv, data/parcels.geojson
  placement  schematic parcel footprints sized to the plan's 亩
  join       projects ↔ parcels ↔ zones
  aggregate  counts, Σ亩, Σ output, output per 亩 by zone/sector/layout/plan
  filter     the one filter shared by the app, the exports and the CLI
  consistency the plans' own internal checks (table sums vs stated totals)
  validate   `python -m geo validate`
"""

__version__ = "0.1.0"
