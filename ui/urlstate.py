"""The pages' state in URL query parameters, so that a link reopens the same view.

Each page has its own URL path (``/`` the planning map, ``/promoter``, ``/boundaries``); the
query parameters hold what the page shows. Lists are comma-separated; ranges are ``lo~hi`` with
either side optional. Unknown or malformed values are ignored (a shared link must never crash
the app) and returned as warnings: ``(key of i18n.STRINGS, values)``, shown in the reader's language.

Links from before the pages had paths (``?mode=promoter``, ``?mode=edit``, ``?mode=planner``)
are recognised by :func:`legacy_page`, which names the page and the parameters to keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from geo.config import COMMON_LAYER
from geo.core.amount import AmountError, amount, amount_range
from geo.core.filter import Filter
from geo.core.matching import FirmProfile
from geo.render.basemaps import BASEMAPS, DEFAULT

LIST_KEYS = {"plans": "plan", "layouts": "layout", "sectors": "sector", "districts": "district",
             "zones": "zone", "geometry_sources": "geom"}
RANGE_KEYS = {"land_mu": "mu", "output_yi": "yi"}
THEMATIC = ("none", "land", "output", "per_mu")
LANGS = ("zh", "en")
ZOOM_RANGE = (3, 19)
"""A link's zoom is kept within this range (the map's own limits)."""
LEGACY_MODES = {"planner": "planner", "promoter": "promoter", "edit": "boundaries"}
"""The old ``?mode=`` values and the page (a key of ``app.PAGES``) each now opens."""

Warning = tuple[str, dict[str, str]]
"""A problem with the link: a key of ``i18n.STRINGS`` and its placeholders."""


@dataclass
class ViewState:
    """What the planning map shows: the filter, language, basemap, thematic map, view and selection."""

    filter: Filter = field(default_factory=Filter)
    lang: str = "zh"
    basemap: str = DEFAULT
    thematic: str = "none"
    thematic_layer: str = COMMON_LAYER
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    selected: str = ""


def _range_to_str(rng: tuple[float | None, float | None]) -> str:
    lo, hi = rng
    if lo is None and hi is None:
        return ""
    return f"{'' if lo is None else f'{lo:g}'}~{'' if hi is None else f'{hi:g}'}"




def _split(value: object) -> list[str]:
    return [x for x in str(value).split(",") if x] if value else []


def to_params(v: ViewState) -> dict[str, str]:
    """The query parameters of a view (defaults left out, so a plain view has a plain link)."""
    p: dict[str, str] = {}
    for attr, key in LIST_KEYS.items():
        if getattr(v.filter, attr):
            p[key] = ",".join(getattr(v.filter, attr))
    for attr, key in RANGE_KEYS.items():
        if s := _range_to_str(getattr(v.filter, attr)):
            p[key] = s
    optional = {"q": v.filter.query, "lang": v.lang if v.lang != "zh" else "",
                "base": v.basemap if v.basemap != DEFAULT else "", "theme": v.thematic if v.thematic != "none" else "",
                "tlayer": v.thematic_layer if v.thematic != "none" and v.thematic_layer != COMMON_LAYER else ""}
    p.update({k: val for k, val in optional.items() if val})
    if v.lat is not None and v.lon is not None:
        p["lat"], p["lon"] = f"{v.lat:.5f}", f"{v.lon:.5f}"
    if v.zoom is not None:
        p["z"] = str(int(v.zoom))
    if v.selected:
        p["sel"] = v.selected
    return p


def _filter_from(params: Mapping[str, str], warnings: list[Warning]) -> Filter:
    f = Filter()
    for attr, key in LIST_KEYS.items():
        if params.get(key):
            setattr(f, attr, _split(params[key]))
    for attr, key in RANGE_KEYS.items():
        if params.get(key):
            try:
                setattr(f, attr, amount_range(params[key]))
            except AmountError:
                warnings.append(("url_bad_range", {"param": key, "value": str(params[key])}))
    f.query = str(params.get("q", ""))[:100]
    return f


def _view_from(params: Mapping[str, str], v: ViewState, warnings: list[Warning]) -> None:
    try:
        if params.get("lat") or params.get("lon"):
            lat, lon = amount(params.get("lat"), -90, 90), amount(params.get("lon"), -180, 180)
            if lat is None or lon is None:
                raise AmountError("lat and lon go together")
            v.lat, v.lon = lat, lon
        if params.get("z"):
            v.zoom = max(ZOOM_RANGE[0], min(ZOOM_RANGE[1], round(amount(params["z"], 0, 30))))
    except AmountError:
        warnings.append(("url_bad_view", {}))


def from_params(params: Mapping[str, str]) -> tuple[ViewState, list[Warning]]:
    """The view a link asks for, and what in it was ignored.

    Parameters
    ----------
    params : Mapping[str, str]
        The query parameters (one value each).

    Returns
    -------
    (ViewState, list of Warning)
    """
    warnings: list[Warning] = []
    v = ViewState(filter=_filter_from(params, warnings))
    if params.get("lang") in LANGS:
        v.lang = params["lang"]
    elif params.get("lang"):
        warnings.append(("url_bad_item", {"param": "lang", "value": str(params["lang"])[:60]}))
    if params.get("base"):
        if params["base"] in BASEMAPS:
            v.basemap = params["base"]
        else:
            warnings.append(("url_bad_basemap", {"value": str(params["base"])}))
    if params.get("theme") in THEMATIC:
        v.thematic = params["theme"]
    elif params.get("theme"):
        warnings.append(("url_bad_item", {"param": "theme", "value": str(params["theme"])[:60]}))
    if params.get("tlayer"):
        v.thematic_layer = str(params["tlayer"])[:64]  # checked against the layers by the page (it knows them)
    _view_from(params, v, warnings)
    v.selected = str(params.get("sel", ""))[:64]
    return v, warnings


def legacy_page(params: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    """The page an old ``?mode=`` link means, and its other parameters (kept on the way).

    Parameters
    ----------
    params : Mapping[str, str]

    Returns
    -------
    (str or None, dict)
        The page (``planner``, ``promoter`` or ``boundaries``; None when the link has no known
        ``mode``) and every parameter but ``mode``.
    """
    rest = {k: str(v) for k, v in params.items() if k != "mode"}
    return LEGACY_MODES.get(str(params.get("mode", ""))), rest


# ------------------------------------------------------------------ the promoter's firm profile


def _number(params: Mapping[str, str], key: str, warnings: list[Warning]) -> float | None:
    try:
        return amount(params.get(key))
    except AmountError:
        warnings.append(("url_bad_number", {"param": key, "value": str(params[key])[:60]}))
        return None


def profile_from_params(params: Mapping[str, str]) -> tuple[FirmProfile, list[str], list[Warning]]:
    """The firm profile and the chosen parcels a promoter link holds, and what in it was ignored.

    Parameters
    ----------
    params : Mapping[str, str]

    Returns
    -------
    (FirmProfile, list of str, list of Warning)
        A land need that is not a finite number ≥ 0 (``fmin=nan``, ``fmax=-5``) is left out with a warning.
    """
    warnings: list[Warning] = []
    near = _split(params.get("near"))
    profile = FirmProfile(name=str(params.get("firm", ""))[:80], sector_text=str(params.get("ftext", ""))[:200],
                          sectors=_split(params.get("fsec")), land_min=_number(params, "fmin", warnings),
                          land_max=_number(params, "fmax", warnings), districts=_split(params.get("fdist")),
                          zones=_split(params.get("fzone")), near_metro="metro" in near,
                          near_university="univ" in near, in_bonded_zone="bonded" in near)
    return profile, _split(params.get("pick")), warnings


def profile_to_params(p: FirmProfile, picks: list[str], lang: str) -> dict[str, str]:
    """The query parameters of a firm profile and the chosen parcels (the page is in the URL path)."""
    out: dict[str, str] = {"lang": lang} if lang != "zh" else {}
    for k, v in (("firm", p.name), ("ftext", p.sector_text), ("fsec", ",".join(p.sectors)),
                 ("fdist", ",".join(p.districts)), ("fzone", ",".join(p.zones)), ("pick", ",".join(picks))):
        if v:
            out[k] = v
    if p.land_min is not None:
        out["fmin"] = f"{p.land_min:g}"
    if p.land_max is not None:
        out["fmax"] = f"{p.land_max:g}"
    near = [k for k, on in (("metro", p.near_metro), ("univ", p.near_university), ("bonded", p.in_bonded_zone)) if on]
    if near:
        out["near"] = ",".join(near)
    return out
