"""The planning map's parcel layer from vector tiles, when this server serves them and they can show the selection.

The tile set is built from the loaded data once per state of the parcels (:func:`geo.pipeline.tileset.ensure_tileset`,
kept in ``SCIMAP_TILES_DIR``) and registered with the tile route (:mod:`geo.io.tiles`). It is used for the
district-scale layer (more than :data:`geo.render.layers.parcels.DETAIL_MAX` parcels) when the selection is "every
parcel of some sector groups" (:func:`geo.render.layers.tiled.tile_sectors`); otherwise the page sends the parcels of the view as before.
"""

from __future__ import annotations

import threading

import folium

from geo import config
from geo.core.filter import Selection
from geo.core.model import PlanData
from geo.io import tiles
from geo.pipeline.tileset import ensure_tileset
from geo.render.layers.parcels import DETAIL_MAX
from geo.render.layers.tiled import tile_sectors, tiled_layer
from geo.render.options import MapOptions

_SETS: dict[int, tiles.TilesetTiles] = {}
_LOCK = threading.Lock()


def parcel_tiles(data: PlanData) -> tiles.TilesetTiles:
    """The data's tile set, built when needed and registered with the tile route (once per loaded data).

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    geo.io.tiles.TilesetTiles
    """
    parcels = data.parcels_joined
    with _LOCK:
        src = _SETS.get(id(parcels))
        if src is None:
            path, meta = ensure_tileset(parcels, config.settings().tiles_dir)
            src = _SETS[id(parcels)] = tiles.TilesetTiles(path, meta)
    tiles.register(src)
    return src


def tiled_parcels(data: PlanData, sel: Selection, opts: MapOptions) -> folium.FeatureGroup | None:
    """The tiled parcel layer for this selection, or None when the page should send the parcels itself.

    Parameters
    ----------
    data : PlanData
    sel : Selection
    opts : MapOptions

    Returns
    -------
    folium.FeatureGroup or None
    """
    if not tiles.mounted() or len(data.parcels) <= DETAIL_MAX:
        return None
    exact, allowed = tile_sectors(data.parcels_joined, sel)
    if not exact:
        return None
    src = parcel_tiles(data)
    return tiled_layer(sel, opts, src.meta, tiles.tile_url(src.key), allowed)
