"""A firm's best-matching parcels with their rank (the promoter's map)."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from geo import i18n
from geo.config import WGS84
from geo.core.model import PlanData
from geo.render import basemaps, style
from geo.render.geojson import geojson_layer
from geo.render.options import MapOptions

RANK_BADGE = ("<div class='scimap-rank' style='font:700 12px sans-serif;color:#fff;background:#7c2d12;"
              "border-radius:9px;width:18px;height:18px;line-height:18px;text-align:center'>{rank}</div>")


def _shade(rank: int) -> str:
    """Best (dark) to weaker (light): the first, the next two, the rest."""
    return style.SEQUENTIAL[4] if rank == 1 else (style.SEQUENTIAL[3] if rank <= 3 else style.SEQUENTIAL[2])


def _record(r: Any, lang: str) -> dict[str, Any]:
    return {"_k": "p", "_n": f"#{r.rank} {getattr(r, i18n.col('name', lang))}",
            "_s": i18n.pick(i18n.MAP, "score", lang, score=i18n.number(r.score, 2, trim=False)), "project_id": r.project_id,
            "land_mu": i18n.number(r.land_mu, 0), "_w": "schematic", "reasons": getattr(r, i18n.col("reasons", lang))}


def match_layer(data: PlanData, ranked: pd.DataFrame, opts: MapOptions, top: int = 10) -> folium.FeatureGroup:
    """The best-matching parcels with their rank, coloured from best (dark) to weaker (light).

    Parameters
    ----------
    data : PlanData
    ranked : pandas.DataFrame
        :func:`geo.core.matching.match`'s ranking.
    opts : MapOptions
    top : int, default 10
        How many parcels.

    Returns
    -------
    folium.FeatureGroup
    """
    fg = folium.FeatureGroup(name=i18n.pick(i18n.MAP, "matches", opts.lang), show=True)
    best = ranked.head(top)
    parcels = data.parcels.set_index("parcel_id").loc[best.parcel_id].reset_index()
    parcels = basemaps.overlay(gpd.GeoDataFrame(parcels, geometry="geometry", crs=WGS84), opts.basemap)
    joined = parcels[["parcel_id", "project_id", "geometry"]].merge(best, on=["parcel_id", "project_id"], how="left")
    joined["rank"] = range(1, len(joined) + 1)
    for r in joined.itertuples():
        g = gpd.GeoDataFrame({"_p": [_record(r, opts.lang)]}, geometry=[r.geometry], crs=WGS84)
        geojson_layer(g, f"match-{r.rank}", {"color": "#7c2d12", "weight": 3, "fillColor": _shade(r.rank),
                                             "fillOpacity": 0.75, "className": "scimap-match"}, precision=6,
                      popups=opts.popups).add_to(fg)
        c = r.geometry.representative_point()
        folium.Marker([c.y, c.x], icon=folium.DivIcon(html=RANK_BADGE.format(rank=int(r.rank)), icon_size=(18, 18),
                                                      icon_anchor=(9, 9))).add_to(fg)
    return fg
