"""The parcel layer's vector tiles: the grid, the tile set built from the data (every parcel in it, with the map's
properties; density cells that count every parcel once), the route's answers to good and bad addresses, and the
PostGIS source giving the same tiles as the file store's tile set for the same data."""

import gzip
import time

import mapbox_vector_tile
import pytest

from geo.core import tilegrid, tiling
from geo.io import open_store, pgfiles, pgschema, tiles
from geo.io.files import FileLayout
from geo.io.pgtiles import PostgisTiles
from geo.pipeline import synth, tileset


def decode(body: bytes) -> dict:
    return mapbox_vector_tile.decode(gzip.decompress(body)) if body else {}


def layer_tiles(meta: dict, z: int) -> list[tuple[int, int, int]]:
    return tilegrid.tiles_of_box(tuple(meta["bounds_wgs84"]), z)


@pytest.fixture(scope="module")
def shipped():
    return open_store().load()


@pytest.fixture(scope="module")
def synthetic(shipped, tmp_path_factory):
    data = synth.plan_data(3000, 7, base=shipped)
    folder = tmp_path_factory.mktemp("tiles")
    path, meta = tileset.ensure_tileset(data.parcels_joined, folder)
    return data, folder, path, meta


# ------------------------------------------------------------------ the grid

def test_tile_bounds_and_tile_of_agree():
    for z, lon, lat in [(0, 0.0, 0.0), (10, 106.33, 29.53), (15, 106.5, 29.6), (22, -73.98, 40.75)]:
        x, y = tilegrid.tile_of(lon, lat, z)
        w, s, e, n = tilegrid.tile_bounds(z, x, y)
        assert w <= lon < e and s < lat <= n
    assert tilegrid.tile_bounds(0, 0, 0)[1] == pytest.approx(-tilegrid.MERCATOR_LAT)


@pytest.mark.parametrize(("z", "x", "y", "part"), [(-1, 0, 0, "zoom"), (23, 0, 0, "zoom"), (3, 8, 0, "x=8"),
                                                   (3, 0, -1, "y=-1")])
def test_a_tile_off_the_grid_is_named(z, x, y, part):
    with pytest.raises(tilegrid.TileError, match=part):
        tilegrid.check_tile(z, x, y)


# ------------------------------------------------------------------ the tile set

def test_every_parcel_is_in_the_tiles_with_the_maps_properties(synthetic):
    data, _, path, meta = synthetic
    src = tiles.TilesetTiles(path, meta)
    joined = data.parcels_joined.set_index("project_id")
    sectors = tiling.sector_of(data.parcels_joined).set_axis(data.parcels_joined.project_id)
    z = meta["parcel_min_zoom"]
    seen: dict[str, dict] = {}
    for t in layer_tiles(meta, z):
        for f in decode(src.tile(*t)).get("parcels", {}).get("features", []):
            seen[f["properties"]["id"]] = f["properties"]
    assert set(seen) == set(joined.index)
    for pid in list(seen)[::97]:
        p = seen[pid]
        assert set(p) == set(tiling.PARCEL_PROPERTIES)
        assert (p["s"], p["src"]) == (sectors[pid], joined.at[pid, "geometry_source"])
        assert p["mu"] == pytest.approx(joined.at[pid, "area_mu"], abs=0.01)
    names: dict[str, dict] = {}  # the names: once per parcel, in the labels layer of the deepest zoom
    for t in layer_tiles(meta, tiling.MAX_DATA_ZOOM):
        for f in decode(src.tile(*t)).get("labels", {}).get("features", []):
            names[f["properties"]["id"]] = f["properties"]
    assert set(names) == set(joined.index)
    for pid in list(names)[::97]:
        assert (names[pid]["nz"], names[pid]["ne"]) == (joined.at[pid, "name_zh"], joined.at[pid, "name_en"])
    assert meta["sectors"] == sorted(set(sectors) - {""})
    assert meta["parcels"] == len(joined)


def test_density_cells_count_every_parcel_once(synthetic):
    """Per zoom, the cells whose centre lies in a tile (a cell crossing tiles is in each of them) hold every parcel
    once, and per sector the counts add up to the cell's."""
    data, _, path, meta = synthetic
    src = tiles.TilesetTiles(path, meta)
    for z in range(tiling.MIN_DENSITY_ZOOM, meta["parcel_min_zoom"]):
        total = sectored = 0
        for t in layer_tiles(meta, z):
            for f in decode(src.tile(*t)).get("density", {}).get("features", []):
                ring = f["geometry"]["coordinates"][0]
                cx = (min(c[0] for c in ring) + max(c[0] for c in ring)) / 2
                cy = (min(c[1] for c in ring) + max(c[1] for c in ring)) / 2
                p = f["properties"]
                per_sector = sum(v for k, v in p.items() if k[0] == "n" and k[1:].isdigit())
                assert per_sector <= p["n"]
                if 0 <= cx < tiling.EXTENT and 0 <= cy < tiling.EXTENT:
                    total += p["n"]
                    sectored += per_sector
        assert total == len(data.parcels_joined), z
        assert sectored == int((tiling.sector_of(data.parcels_joined) != "").sum()), z


def test_the_set_is_kept_while_the_data_is_the_same_and_rebuilt_when_it_changes(shipped, tmp_path):
    data, folder = synth.plan_data(500, 3, base=shipped), tmp_path
    path, meta = tileset.ensure_tileset(data.parcels_joined, folder)
    stamp = path.stat().st_mtime_ns
    again, meta2 = tileset.ensure_tileset(data.parcels_joined, folder)
    assert again == path and again.stat().st_mtime_ns == stamp and meta2["key"] == meta["key"]
    changed = data.parcels_joined.copy()
    changed.loc[changed.index[0], "geometry"] = changed.geometry.iloc[0].buffer(0.001)
    other, meta3 = tileset.ensure_tileset(changed, folder)
    assert other != path and meta3["key"] != meta["key"] and path.exists()
    for n in range(tileset.KEEP + 1):  # older sets beyond KEEP go
        time.sleep(0.01)
        tileset.ensure_tileset(changed.iloc[: 100 + n], folder)  # noqa: B007
    assert len(list(folder.glob("parcels-*.pmtiles"))) == tileset.KEEP


# ------------------------------------------------------------------ the route

def test_the_route_answers_a_tile_and_names_what_is_wrong(synthetic):
    _, _, path, meta = synthetic
    key = tiles.register(tiles.TilesetTiles(path, meta))
    z = meta["parcel_min_zoom"]
    x, y = tilegrid.tile_of(106.33, 29.53, z)
    ok = tiles.respond(key, str(z), str(x), str(y))
    assert ok.status == 200 and ok.headers["Content-Encoding"] == "gzip"
    assert ok.headers["Content-Type"] == tiles.MEDIA_TYPE and "immutable" in ok.headers["Cache-Control"]
    assert decode(ok.body)["parcels"]["features"]
    empty = tiles.respond(key, "3", "0", "0")  # on the grid, no data there
    assert empty.status == 200 and empty.body == b""
    for args, status, words in [((key, "1", "5", "0"), 400, "x=5 is outside 0…1"),
                                ((key, "99", "0", "0"), 400, "zoom 99"),
                                ((key, "a", "0", "0"), 400, "tile z"),
                                ((key, "1", "0", "-1"), 400, "tile y"),
                                ((key, "1", "0", "9" * 40), 400, "tile y"),
                                (("zz<script>", "1", "0", "0"), 400, "tile key"),
                                (("0" * 16, "1", "0", "0"), 404, "no such tile set")]:
        a = tiles.respond(*args)
        assert a.status == status and words in a.body.decode(), (args, a.body)
        assert "<script>" not in a.body.decode() and a.headers["Content-Type"].startswith("text/plain")


def test_only_a_server_with_the_route_uses_tiles():
    state = list(tiles._MOUNTED)
    try:
        tiles._MOUNTED.clear()
        assert not tiles.mounted()
        tiles.mount()
        assert tiles.mounted()
    finally:
        tiles._MOUNTED[:] = state


# ------------------------------------------------------------------ PostGIS gives the same tiles

@pytest.mark.postgis
def test_postgis_tiles_equal_the_file_tile_set(postgis_url, data_copy, tmp_path):
    d, lay = data_copy
    with pgschema.connect(postgis_url) as conn:
        pgschema.init(conn, postgis_url)
        pgfiles.load_files(conn, FileLayout(d, lay))
    db = PostgisTiles(postgis_url)
    data = open_store().load()
    _, meta = tileset.ensure_tileset(data.parcels_joined, tmp_path)
    files = tiles.TilesetTiles(tmp_path / f"parcels-{meta['key']}.pmtiles", meta)
    assert db.meta["sectors"] == meta["sectors"] and db.meta["parcel_min_zoom"] == meta["parcel_min_zoom"]
    assert db.meta["parcels"] == meta["parcels"] == len(data.parcels)
    assert db.meta["density_breaks"] == meta["density_breaks"]
    compared = 0
    for z in range(tiling.MIN_DENSITY_ZOOM, tiling.MAX_DATA_ZOOM + 1):
        for t in layer_tiles(meta, z):
            a, b = decode(files.tile(*t)), decode(db.tile(*t))
            assert set(a) == set(b), (t, set(a), set(b))
            for name in a:
                key = (lambda f: f["properties"]["id"]) if name != "density" else (
                    lambda f: (f["properties"]["n"], f["properties"]["m"]))
                fa = sorted((key(f), sorted(f["properties"].items())) for f in a[name]["features"])
                fb = sorted((key(f), sorted(f["properties"].items())) for f in b[name]["features"])
                assert fa == fb, (t, name)
                compared += len(fa)
    assert compared > 100
    cached = db.tile(*layer_tiles(meta, 14)[0])
    assert db.tile(*layer_tiles(meta, 14)[0]) is cached  # the second time from the cache
    with pytest.raises(tilegrid.TileError):
        db.tile(3, 9, 0)
