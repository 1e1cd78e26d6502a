"""The planning map's parcel layer from vector tiles, when this server serves them and they can show the selection.

The tiles come from the database when it is the store, else from a tile set built from the loaded data once per
state of the parcels (:func:`geo.pipeline.tileset.ensure_tileset`, kept in ``SCIMAP_TILES_DIR``); either is registered with the tile route (:mod:`geo.io.tiles`). It is used for the
district-scale layer (more than :data:`geo.render.layers.parcels.DETAIL_MAX` parcels) when the selection is "every
parcel of some sector groups" (:func:`geo.render.layers.tiled.tile_sectors`); otherwise the page sends the parcels of the view as before.
"""

from __future__ import annotations

import threading
import weakref

import folium
import streamlit as st

from geo import config, i18n
from geo.core.filter import Selection
from geo.core.model import PlanData
from geo.io import tiles
from geo.io.pgtiles import PostgisTiles
from geo.pipeline.tileset import ensure_tileset
from geo.render.layers.parcels import DETAIL_MAX
from geo.render.layers.tiled import selection_sectors, tile_sectors, tiled_layer
from geo.render.options import MapOptions

_SETS: dict[int, tuple[weakref.ref, tiles.TileSource]] = {}
_LOCK = threading.Lock()


def parcel_tiles(data: PlanData, lang: str = "zh") -> tiles.TileSource:
    """The data's tiles, registered with the tile route (once per loaded data): cut by the database when it is the
    store (:class:`geo.io.pgtiles.PostgisTiles`), else the files' tile set, built when needed.

    Parameters
    ----------
    data : PlanData
    lang : str, default "zh"
        Language of the message shown while a tile set is built.

    Returns
    -------
    geo.io.tiles.TileSource
    """
    parcels = data.parcels_joined
    with _LOCK:
        hit = _SETS.get(id(parcels))
        src = hit[1] if hit is not None and hit[0]() is parcels else None
        if src is None:
            url = config.settings().database_url
            if url:
                src = PostgisTiles(url)
            else:
                with st.spinner(i18n.t("tiles_building", lang)):
                    path, meta = ensure_tileset(parcels, config.settings().tiles_dir)
                src = tiles.TilesetTiles(path, meta)
            _SETS.clear()  # the data of this process changed (a reload): the old source is no longer asked for
            _SETS[id(parcels)] = (weakref.ref(parcels), src)
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
    src = parcel_tiles(data, opts.lang)
    groups = selection_sectors(data.parcels_joined, sel)
    return tiled_layer(sel, opts, src.meta, tiles.tile_url(src.key), allowed, groups=groups)
