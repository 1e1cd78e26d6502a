"""``python -m geo tiles``: build the parcel layer's vector tile set for the data the app serves (file store).

The app builds it itself when the parcels changed (:func:`geo.pipeline.tileset.ensure_tileset`); building it
beforehand lets a server with a large cadastre start without the wait. With the database as the store there is
nothing to build: PostGIS cuts each tile when it is asked for (:mod:`geo.io.pgtiles`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def arguments(p: argparse.ArgumentParser) -> None:
    """Add the subcommand's arguments.

    Parameters
    ----------
    p : argparse.ArgumentParser
    """
    p.add_argument("--data", type=Path, help="data folder (default: data/)")
    p.add_argument("--layers", type=Path, help="layers folder (default: layers/)")
    p.add_argument("--out", type=Path, help="folder of the tile sets (default: SCIMAP_TILES_DIR or tiles/)")


def run(args: argparse.Namespace) -> int:
    """Build (or find up to date) the tile set of the store's parcels, plus SCIMAP_SYNTHETIC parcels as the app adds.

    Parameters
    ----------
    args : argparse.Namespace
        ``data``, ``layers``, ``out``.

    Returns
    -------
    int
        0, or 1 with a message when the data cannot be read or the folder cannot be written.
    """
    from geo import config
    from geo.core.model import DataError
    from geo.io.files import FileLayout
    from geo.io.store import FileStore, StoreError
    from geo.pipeline import tileset
    settings = config.settings()
    if settings.database_url and args.data is None:
        print(f"the store is the database ({config.redact_url(settings.database_url)}): its tiles are cut per "
              "request, there is no tile set to build")
        return 0
    t = time.perf_counter()
    try:
        lay = FileLayout.resolve(args.data, args.layers)
        data = FileStore(lay.data_dir, lay.layers_dir).load()
    except (DataError, StoreError, OSError) as e:
        print(f"tiles: the data cannot be read: {e}", file=sys.stderr)
        return 1
    if settings.synthetic_parcels:
        from geo.pipeline import synth
        data = synth.plan_data(settings.synthetic_parcels, 0, base=data)
    loaded = time.perf_counter() - t
    out = args.out or settings.tiles_dir
    try:
        path, meta = tileset.ensure_tileset(data.parcels_joined, out)
    except OSError as e:
        print(f"tiles: {out}: cannot write the tile set ({e.strerror or e})", file=sys.stderr)
        return 1
    print(f"{path}: {meta['parcels']:,} parcels, parcels from zoom {meta['parcel_min_zoom']} to {meta['max_zoom']}, "
          f"density cells from zoom {meta['min_zoom']}; key {meta['key']}; "
          f"data read in {loaded:.1f} s, total {time.perf_counter() - t:.1f} s")
    return 0
