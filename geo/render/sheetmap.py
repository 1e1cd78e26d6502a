"""The fact sheet's map: a parcel and its surroundings, drawn with matplotlib in its GK plane.

Zones (dashed, town names), other planned parcels, the parcel itself, rail stations and
universities, a scale bar, a north arrow and a legend; labels in Noto Sans CJK.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo import i18n
from geo.core.crs import own_zone
from geo.core.model import PlanData

CJK_FONT_FILES = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"]
PARCEL = ("#f59e0b", "#b45309")  # fill, edge
OTHERS = ("#93c5fd", "#1d4ed8")
ZONE = "#7c3aed"
POIS = (("metro_station", "^", "#dc2626"), ("university", "*", "#047857"))

Box = tuple[float, float, float, float]


def _cjk_font() -> str | None:
    from matplotlib import font_manager
    for f in CJK_FONT_FILES:
        if Path(f).exists():
            font_manager.fontManager.addfont(f)
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in ("Noto Sans CJK SC", "Noto Sans CJK JP") if n in names), None)


def _clip(gdf: gpd.GeoDataFrame, crs: str, box: Box) -> gpd.GeoDataFrame:
    return gdf.to_crs(crs).cx[box[0]:box[2], box[1]:box[3]]


def _draw_zones(ax: Any, data: PlanData, crs: str, box: Box, lang: str) -> None:
    """Zone outlines (not hulls or whole districts) and the town names, kept 800 m apart."""
    z = data.zones
    zones = _clip(z[z.geom_type.isin(["Polygon", "MultiPolygon"]) & (z.position_confidence != "none")], crs, box)
    zones = zones[~zones.extent_method.str.contains("hull|district boundary")]
    if not len(zones):
        return
    zones.boundary.plot(ax=ax, color=ZONE, linewidth=0.7, linestyle=(0, (4, 3)), alpha=0.6)
    placed: list[tuple[float, float]] = []
    name = i18n.col("name", lang)
    for r in zones[zones.layer_id == "towns"].itertuples():  # town names only: the others share positions
        c = r.geometry.centroid
        if box[0] < c.x < box[2] and box[1] < c.y < box[3] and all(math.hypot(c.x - x, c.y - y) > 800 for x, y in placed):
            placed.append((c.x, c.y))
            ax.annotate(getattr(r, name), (c.x, c.y), fontsize=7, color="#5b21b6", ha="center", alpha=0.8)


def _draw_pois(ax: Any, data: PlanData, crs: str, box: Box, lang: str) -> None:
    pois = _clip(data.pois[data.pois.geometry.notna()], crs, box)
    name = i18n.col("name", lang)
    for cat, marker, colour in POIS:
        pp = pois[pois.category == cat]
        if not len(pp):
            continue
        ax.scatter(pp.geometry.x, pp.geometry.y, marker=marker, s=42, color=colour, zorder=5)
        for r in pp.drop_duplicates("geometry").itertuples():
            ax.annotate(getattr(r, name), (r.geometry.x, r.geometry.y), xytext=(4, 3), textcoords="offset points",
                        fontsize=6.5, color=colour)


def _decorate(ax: Any, box: Box, crs: str, lang: str) -> None:
    """Extent, scale bar, north arrow, legend and the CRS note."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    span = box[2] - box[0]
    bar = 1000 if span < 8000 else 2000
    x0, y0 = box[0] + 0.05 * span, box[1] + 0.05 * (box[3] - box[1])
    ax.plot([x0, x0 + bar], [y0, y0], color="black", linewidth=2.5)
    ax.annotate(f"{bar / 1000:g} km", (x0 + bar / 2, y0), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
    ax.annotate("N", xy=(0.95, 0.93), xytext=(0.95, 0.83), xycoords="axes fraction", ha="center", fontsize=9,
                arrowprops={"arrowstyle": "-|>", "color": "black"})
    def t(key: str) -> str:
        return i18n.pick(i18n.SHEET, key, lang)

    handles = [Patch(facecolor=PARCEL[0], edgecolor=PARCEL[1], label=t("legend_parcel")),
               Patch(facecolor=OTHERS[0], edgecolor=OTHERS[1], label=t("legend_other")),
               Line2D([], [], color=ZONE, linestyle="--", label=t("legend_zone")),
               Line2D([], [], marker=POIS[0][1], color=POIS[0][2], linestyle="", label=t("legend_station")),
               Line2D([], [], marker=POIS[1][1], color=POIS[1][2], linestyle="", label=t("legend_univ"))]
    ax.legend(handles=handles, loc="upper left", fontsize=6.5, framealpha=0.9)
    ax.text(0.99, 0.01, "CGCS2000 / GK " + crs.replace("EPSG:", "EPSG "), transform=ax.transAxes, fontsize=5.5,
            ha="right", va="bottom", color="#555")


def map_png(data: PlanData, parcel_ids: list[str], lang: str = "zh", size: tuple[float, float] = (7.6, 4.3)) -> bytes:
    """A map of the parcel(s) and their surroundings in their own GK plane, as PNG bytes.

    Parameters
    ----------
    data : PlanData
    parcel_ids : list of str
        The parcels to show (highlighted); the view spans them with at least 1.5 km around.
    lang : {"zh", "en"}, default "zh"
        Language of the place names and the legend.
    size : (float, float), default (7.6, 4.3)
        Figure size in inches (160 dpi).

    Returns
    -------
    bytes
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    family = _cjk_font()
    rc = {"text.parse_math": False, "text.usetex": False}  # names are text: "$…$" is no formula
    if family:
        rc["font.family"] = [family, "DejaVu Sans"]
    with plt.rc_context(rc):
        return _draw(data, parcel_ids, lang, size)


def _draw(data: PlanData, parcel_ids: list[str], lang: str, size: tuple[float, float]) -> bytes:
    import matplotlib.pyplot as plt

    sel = data.parcels[data.parcels.parcel_id.isin(parcel_ids)]
    crs = own_zone(sel.geometry.union_all())
    focus = sel.to_crs(crs)
    minx, miny, maxx, maxy = focus.total_bounds
    pad = max(1500.0, 0.6 * max(maxx - minx, maxy - miny))
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    fig, ax = plt.subplots(figsize=size, dpi=160)
    _draw_zones(ax, data, crs, box, lang)
    others = _clip(data.parcels[~data.parcels.parcel_id.isin(parcel_ids)], crs, box)
    if len(others):
        others.plot(ax=ax, facecolor=OTHERS[0], edgecolor=OTHERS[1], linewidth=0.6, alpha=0.6)
    focus.plot(ax=ax, facecolor=PARCEL[0], edgecolor=PARCEL[1], linewidth=1.6, alpha=0.85)
    _draw_pois(ax, data, crs, box, lang)
    _decorate(ax, box, crs, lang)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
