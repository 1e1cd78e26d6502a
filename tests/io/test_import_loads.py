"""One study area and one geometry rule for importer, store and loader: a boundary at 108.2°E is refused at
import naming the study area, and nothing the importer accepts can make loading fail."""

import json
import math
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping

from geo import __main__ as cli
from geo.core import extent
from geo.core.crs import WGS84, areas_mu, own_zone, project
from geo.core.model import DataError
from geo.io import importer, open_store
from geo.io.files import load_all
from geo.io.store import FileStore, StoreError
from tests.io.make_import_corpus import surveyed
from tests.io.stored import digest

CORPUS = Path(__file__).resolve().parent / "import_corpus"
GOOD = sorted((CORPUS / "good").iterdir())


def square(lon: float, lat: float, mu: float) -> Polygon:
    """A square of `mu` 亩 centred on (lon, lat), drawn in its own Gauss–Krüger zone."""
    zone = own_zone(Point(lon, lat))
    c = project(Point(lon, lat), zone)
    h = math.sqrt(mu * 10000 / 15) / 2
    return project(box(c.x - h, c.y - h, c.x + h, c.y + h), WGS84, src=zone)


def write_geojson(path: Path, geoms: list, ids: list[str], key: str = "project_id") -> Path:
    """GeoJSON with the coordinates exactly as given (no driver rounding)."""
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {key: i}, "geometry": mapping(g)} for g, i in zip(geoms, ids, strict=True)]}
    path.write_text(json.dumps(fc), encoding="utf-8")
    return path



# ------------------------------------------------------------------ 108.2°E

AT_108_2 = square(108.2, 29.5, 100)


def test_a_boundary_at_108_2E_is_refused_at_import_naming_the_study_area(data, tmp_path):
    assert AT_108_2.is_valid and abs(float(areas_mu([AT_108_2])[0]) - 100) < 0.5  # a sound ~100 亩 parcel
    f = write_geojson(tmp_path / "east.geojson", [AT_108_2], ["HTS-T4-01"])
    with pytest.raises(importer.ImportFailed, match="outside Chongqing's study area") as e:
        importer.review(f, data)
    assert extent.describe() in str(e.value) and "108.2" in str(e.value) and "east.geojson" in str(e.value)


def test_the_cli_refuses_it_and_stores_nothing(data_copy, tmp_path, monkeypatch, capsys):
    d, lay = data_copy
    monkeypatch.setenv("SCIMAP_DATA_DIR", str(d))
    monkeypatch.setenv("SCIMAP_LAYERS_DIR", str(lay))
    before = digest(d, lay)
    f = write_geojson(tmp_path / "east.geojson", [AT_108_2], ["HTS-T4-01"])
    assert cli.main(["import", str(f), "--apply", "--accept-flagged"]) == 1
    err = capsys.readouterr().err
    assert "import refused" in err and "study area" in err and extent.describe() in err
    assert digest(d, lay) == before


def test_store_and_loader_apply_the_same_rule(data_copy):
    """What the importer refuses, the store refuses too, and the loader would reject: the three agree."""
    d, lay = data_copy
    fs = FileStore(d, lay)
    before = digest(d, lay)
    with pytest.raises(StoreError, match="HTS-T4-01: lies outside Chongqing's study area"):
        fs.save(gpd.GeoDataFrame({"target_id": ["HTS-T4-01"]}, geometry=[AT_108_2], crs=WGS84), "parcels", "t",
                "surveyed", fs.version("parcels"))
    assert digest(d, lay) == before  # refused before anything was written
    fc = json.loads((d / "parcels.geojson").read_text(encoding="utf-8"))  # written behind the store's back
    next(f for f in fc["features"] if f["properties"]["project_id"] == "HTS-T4-01")["geometry"] = mapping(AT_108_2)
    (d / "parcels.geojson").write_text(json.dumps(fc), encoding="utf-8")
    with pytest.raises(DataError, match=r"P-HTS-T4-01.*outside Chongqing's study area"):
        load_all(d, lay)


# ------------------------------------------------------------------ accepted ⇒ loads

def _edge_cases() -> dict[str, tuple[list, list[str], bool]]:
    """name → (geometries, project ids, expected to be accepted)."""
    x0, y0, x1, y1 = extent.STUDY_AREA
    dx, dy = 0.0027, 0.0023  # ~100 亩 at 29.5°N
    a = surveyed()
    ax0, ay0, ax1, ay1 = a.bounds
    mx, my = (ax0 + ax1) / 2, (ay0 + ay1) / 2
    return {
        "east_edge_of_the_box": ([box(x1 - dx, 29.5, x1, 29.5 + dy)], ["HTS-T4-01"], True),
        "south_west_corner_of_the_box": ([box(x0, y0, x0 + dx, y0 + dy)], ["HTS-T4-01"], True),
        "bow_tie_repaired": ([Polygon([(ax0, ay0), (ax1, ay1), (ax1, ay0), (ax0, ay1)])], ["HTS-T4-02"], True),
        "self_touching_ring_repaired": ([Polygon([(ax0, ay0), (ax1, ay0), (ax1, ay1), (mx, my), (ax1, ay1 - (ay1 - ay0) / 4),
                                                  (ax0, ay1)])], ["HTS-T4-02"], True),
        "spike_repaired": ([Polygon([(ax0, ay0), (ax1, ay0), (ax1, my), (ax1 + 0.002, my), (ax1, my), (ax1, ay1),
                                     (ax0, ay1)])], ["HTS-T4-02"], True),
        "multipolygon": ([MultiPolygon([box(ax0, ay0, mx - 1e-4, ay1), box(mx + 1e-4, ay0, ax1, ay1)])],
                         ["HTS-T4-02"], True),
        "polygon_with_a_hole": ([a.difference(Point(mx, my).buffer(2e-4))], ["HTS-T4-02"], True),
        "vertices_closer_than_the_grid": ([Polygon([(ax0, ay0), (ax1, ay0), (ax1 + 3e-8, ay0 + 2e-8), (ax1, ay1),
                                                    (ax0, ay1)])], ["HTS-T4-02"], True),
        "sliver_thinner_than_the_grid": ([box(ax0, ay0, ax0 + 3e-8, ay1)], ["HTS-T4-02"], False),
        "two_parcels_at_once": ([a, square(106.33, 29.52, 90)], ["HTS-T4-02", "HTS-T4-01"], True),
    }


CASES = [(p.name, p, "GCJ02" if "gcj02" in p.name else None, 1) for p in GOOD]
CASES += [(name, None, None, len(ids) if ok else 0) for name, (_, ids, ok) in _edge_cases().items()]


@pytest.mark.parametrize("name,path,crs,n_ok", CASES, ids=[c[0] for c in CASES])
def test_nothing_the_importer_accepts_can_make_loading_fail(data_copy, tmp_path, name, path, crs, n_ok):
    d, lay = data_copy
    store = FileStore(d, lay)
    if path is None:
        geoms, ids, _ = _edge_cases()[name]
        path = write_geojson(tmp_path / f"{name}.geojson", geoms, ids)
    rv = importer.review(path, store.load(), "parcels", crs)
    ok = rv.accepted(include_flagged=True)
    assert len(ok) == n_ok, rv.report[["match_id", "problems", "acceptable"]].to_string()
    if n_ok == 0:  # refused at review, saying why
        assert "as stored" in rv.report.problems.iloc[0]
        return
    store.save(ok, "parcels", "tester", "surveyed", store.version("parcels"), note=f"import {name}")
    loaded = load_all(d, lay, strict=True)  # raises DataError if the importer let through what loading rejects
    got = loaded.parcels.set_index("project_id").geometry
    for r in ok.itertuples():
        assert got[r.target_id].equals_exact(r.geometry, 1e-9), r.target_id
    assert not [i for i in loaded.issues if i.level == "error"]


def test_an_imported_zone_multipolygon_loads(data_copy, tmp_path):
    d, lay = data_copy
    store = FileStore(d, lay)
    c = project(Point(106.3258, 29.5063), "EPSG:4544")
    parts = [project(c.buffer(900, quad_segs=4), WGS84, src="EPSG:4544"),
             project(Point(c.x + 2500, c.y).buffer(600, quad_segs=4), WGS84, src="EPSG:4544")]
    f = write_geojson(tmp_path / "jinfeng.geojson", [MultiPolygon(parts)], ["town_jinfeng"], key="zone_id")
    rv = importer.review(f, store.load(), layer="zones")
    ok = rv.accepted(include_flagged=True)
    assert list(ok.target_id) == ["town_jinfeng"]
    store.save(ok, "zones", "tester", "surveyed", store.version("zones"))
    z = load_all(d, lay, strict=True).zones.set_index("zone_id").loc["town_jinfeng"]
    assert z.geometry.geom_type == "MultiPolygon" and z.geometry_source == "surveyed"


def test_open_store_follows_the_settings(data_copy, monkeypatch):
    from geo.io.store import Store
    d, lay = data_copy
    monkeypatch.setenv("SCIMAP_DATA_DIR", str(d))
    monkeypatch.setenv("SCIMAP_LAYERS_DIR", str(lay))
    s = open_store()
    assert isinstance(s, Store) and isinstance(s, FileStore)
    assert s.layout.parcels == d / "parcels.geojson" and s.layout.manifest == lay / "manifest.json"
    assert len(s.load().parcels) == len(load_all(d, lay).parcels)
    v = s.version("zones")
    (lay / "towns.geojson").write_text((lay / "towns.geojson").read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert s.version("zones") != v  # any zone layer file changing changes the zones' version
