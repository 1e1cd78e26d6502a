"""The view's state in URL query parameters, so that a link reopens the same view.

Lists are comma-separated; ranges are `lo~hi` with either side optional. Unknown or malformed
values are ignored (a shared link must never crash the app), and returned as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.core.filter import Filter
from geo.render.basemaps import BASEMAPS, DEFAULT

LIST_KEYS = {"plans": "plan", "layouts": "layout", "sectors": "sector", "districts": "district",
             "zones": "zone", "geometry_sources": "geom"}
RANGE_KEYS = {"land_mu": "mu", "output_yi": "yi"}


@dataclass
class ViewState:
    filter: Filter = field(default_factory=Filter)
    lang: str = "zh"
    basemap: str = DEFAULT
    thematic: str = "none"
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    selected: str = ""


def _range_to_str(rng) -> str:
    lo, hi = rng
    if lo is None and hi is None:
        return ""
    return f"{'' if lo is None else f'{lo:g}'}~{'' if hi is None else f'{hi:g}'}"


def _str_to_range(s: str):
    lo, _, hi = s.partition("~")
    return (float(lo) if lo.strip() else None, float(hi) if hi.strip() else None)


def to_params(v: ViewState) -> dict[str, str]:
    p: dict[str, str] = {}
    for attr, key in LIST_KEYS.items():
        vals = getattr(v.filter, attr)
        if vals:
            p[key] = ",".join(vals)
    for attr, key in RANGE_KEYS.items():
        s = _range_to_str(getattr(v.filter, attr))
        if s:
            p[key] = s
    if v.filter.query:
        p["q"] = v.filter.query
    if v.lang != "zh":
        p["lang"] = v.lang
    if v.basemap != DEFAULT:
        p["base"] = v.basemap
    if v.thematic != "none":
        p["theme"] = v.thematic
    if v.lat is not None and v.lon is not None:
        p["lat"], p["lon"] = f"{v.lat:.5f}", f"{v.lon:.5f}"
    if v.zoom is not None:
        p["z"] = str(int(v.zoom))
    if v.selected:
        p["sel"] = v.selected
    return p


def from_params(params: dict[str, str]) -> tuple[ViewState, list[str]]:
    v = ViewState()
    warnings: list[str] = []
    f = v.filter
    for attr, key in LIST_KEYS.items():
        if params.get(key):
            setattr(f, attr, [x for x in str(params[key]).split(",") if x])
    for attr, key in RANGE_KEYS.items():
        if params.get(key):
            try:
                setattr(f, attr, _str_to_range(str(params[key])))
            except ValueError:
                warnings.append(f"ignored {key}={params[key]!r}: not a range like 100~500")
    f.query = str(params.get("q", ""))[:100]
    if params.get("lang") in ("zh", "en"):
        v.lang = params["lang"]
    if params.get("base"):
        if params["base"] in BASEMAPS:
            v.basemap = params["base"]
        else:
            warnings.append(f"ignored base={params['base']!r}: unknown basemap")
    if params.get("theme") in ("none", "land", "output", "per_mu"):
        v.thematic = params["theme"]
    try:
        if params.get("lat") and params.get("lon"):
            lat, lon = float(params["lat"]), float(params["lon"])
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                v.lat, v.lon = lat, lon
        if params.get("z"):
            v.zoom = max(3, min(19, int(float(params["z"]))))
    except ValueError:
        warnings.append("ignored the map view in the link: not numbers")
    v.selected = str(params.get("sel", ""))[:64]
    return v, warnings
