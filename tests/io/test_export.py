"""Snapshots: every format and CRS round-trips ids, attributes, 亩 and geometry; GDAL and a KML
parser read the files; failures are clean."""

import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.core.crs import areas_mu, geodesic_distance_m
from geo.core.filter import Filter
from geo.io import export

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ["geojson", "gpkg", "shp", "kml", "csv", "xlsx"]
CRSS = ["EPSG:4326", "EPSG:4490", "EPSG:4544", "GCJ02"]
TEXT_COLS = {"parcels": ["name_zh", "name_en", "sector_zh", "quote_zh", "notes", "placement_note", "source_ref"],
             "zones": ["name_zh", "role_zh", "position_note", "position_source", "quote_zh"],
             "projects": ["name_zh", "sector_zh", "region_zh", "quote_zh", "notes", "land_mu_text"]}
NUM_COLS = {"parcels": ["land_mu", "area_mu", "output_target_yi"], "zones": ["area_mu_plan"],
            "projects": ["land_mu", "output_target_yi", "floor_area_m2"]}
GEOM_TOL = {"EPSG:4326": 1e-7, "EPSG:4490": 1e-7, "EPSG:4544": 1e-7, "GCJ02": 1e-5}  # degrees


def norm(v):
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == "":
        return None
    return v


@pytest.fixture(scope="module")
def source(data):
    from geo.core.filter import apply_filter
    from geo.io.export import layers_of
    return layers_of(apply_filter(data, Filter()))


@pytest.mark.parametrize("crs", CRSS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(data, source, tmp_path, fmt, crs):
    if fmt == "kml" and crs == "EPSG:4544":
        with pytest.raises(export.ExportError, match="KML holds longitude/latitude only"):
            export.export(data, Filter(), fmt, tmp_path, crs=crs)
        assert list(tmp_path.iterdir()) == []
        return
    snap = export.export(data, Filter(), fmt, tmp_path, crs=crs)
    back = export.read_snapshot(snap.path)
    for layer, src in source.items():
        key = export.ID_COLUMN[layer]
        got = back[layer]
        assert sorted(got[key].astype(str)) == sorted(src[key].astype(str)), layer
        s, g = src.set_index(key), got.set_index(got[key].astype(str))
        for c in TEXT_COLS[layer]:
            for i in s.index:
                assert norm(g.loc[i, c]) == norm(s.loc[i, c]), (layer, i, c, g.loc[i, c])
        for c in NUM_COLS[layer]:
            a = pd.to_numeric(g.loc[s.index, c], errors="coerce").to_numpy(dtype=float)
            b = s[c].to_numpy(dtype=float)
            assert np.array_equal(np.isnan(a), np.isnan(b)), (layer, c)  # missing stays missing
            assert np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=1e-9), (layer, c)
        for i in s.index:
            gs, gg = s.loc[i].geometry, g.loc[i].geometry
            if gs is None:
                continue
            assert gg is not None and gs.hausdorff_distance(gg) < GEOM_TOL[crs], (layer, i)
    # area in 亩 within 0.1 % after the round trip
    a = areas_mu(back["parcels"].set_index("parcel_id").loc[source["parcels"].parcel_id].geometry.values)
    assert np.allclose(a, source["parcels"].area_mu.to_numpy(dtype=float), rtol=1e-3)


def test_gcj02_export_shifts_back_within_a_metre(data, tmp_path):
    snap = export.export(data, Filter(sectors=["检验检测"]), "geojson", tmp_path, crs="GCJ02")
    with zipfile.ZipFile(snap.path) as zf:
        raw = json.loads(zf.read("parcels.geojson"))
    back = export.read_snapshot(snap.path)["parcels"].set_index("parcel_id")
    src = data.parcels.set_index("parcel_id")
    for f in raw["features"]:
        pid = f["properties"]["parcel_id"]
        x0, y0 = src.loc[pid].geometry.exterior.coords[0]
        xs, ys = f["geometry"]["coordinates"][0][0]
        assert 400 < geodesic_distance_m(x0, y0, xs, ys) < 600  # the file really is in GCJ-02
        xb, yb = back.loc[pid].geometry.exterior.coords[0]
        assert geodesic_distance_m(x0, y0, xb, yb) < 1.0


def _ogrinfo(path, layer):
    return subprocess.run(["ogrinfo", "-so", str(path), layer], capture_output=True, text=True, timeout=60).stdout


def test_gpkg_opens_in_ogrinfo_with_crs_and_field_types(data, tmp_path):
    snap = export.export(data, Filter(), "gpkg", tmp_path, crs="EPSG:4544")
    info = _ogrinfo(snap.path, "parcels")
    assert "Feature Count: 25" in info and 'ID["EPSG",4544]' in info or "CM 105E" in info
    assert "land_mu: Real" in info and "name_zh: String" in info and "target_year: Real" in info or "Integer" in info
    meta = _ogrinfo(snap.path, "snapshot_metadata")
    assert "Feature Count: 1" in meta


def test_shapefile_zip_has_prj_cpg_short_fields_and_opens_in_ogrinfo(data, tmp_path):
    snap = export.export(data, Filter(), "shp", tmp_path, crs="EPSG:4490")
    with zipfile.ZipFile(snap.path) as zf:
        names = zf.namelist()
        assert {"parcels.shp", "parcels.prj", "parcels.cpg", "fields.csv", "metadata.json"} <= set(names)
        assert zf.read("parcels.cpg").decode().strip().upper().replace("-", "") == "UTF8"
        fields = pd.read_csv(zf.open("fields.csv"))
        zf.extractall(tmp_path / "x")
    assert fields.shp_field.str.len().max() <= 10 and fields.shp_field.str.isascii().all()
    assert {"zones_poly.shp", "zones_line.shp", "zones_point.shp"} <= set(names)  # one geometry type per file
    info = _ogrinfo(tmp_path / "x" / "parcels.shp", "parcels")
    assert "Feature Count: 25" in info and "CGCS2000" in info
    assert "NAME_ZH: String" in info and "LAND_MU: Real" in info
    # a quote longer than a DBF field continues in numbered fields, joined back losslessly
    assert (fields.part > 1).any()


def test_kml_parses_with_a_kml_parser(data, tmp_path):
    snap = export.export(data, Filter(plans=["HTS"]), "kml", tmp_path)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(snap.path).getroot()
    marks = root.findall(".//k:Placemark", ns)
    containers = root.findall(".//k:Document", ns) + root.findall(".//k:Folder", ns)
    layers = {c.get("id") for c in containers} | {c.findtext("k:name", namespaces=ns) for c in containers}
    assert {"parcels", "zones", "projects"} <= layers
    c = snap.metadata["counts"]
    assert len(marks) == c["parcels"] + c["zones"] + c["projects"]
    assert any(m.findtext("k:name", namespaces=ns) == "国家质检基地" for m in marks)
    data_el = root.find(".//k:Document/k:ExtendedData/k:Data[@name='scimap_metadata']/k:value", ns)
    assert json.loads(data_el.text)["counts"] == c


def test_metadata_inside_and_beside_and_file_name(data, tmp_path):
    f = Filter(sectors=["数字文创"], land_mu=(100, None))
    snap = export.export(data, f, "geojson", tmp_path, crs="EPSG:4326")
    side = json.loads(snap.metadata_path.read_text(encoding="utf-8"))
    assert side["counts"]["parcels"] == 6 and side["totals"]["land_mu"] == 3754
    assert side["filter"]["sectors"] == ["数字文创"] and len(side["data_version"]) == 12
    stamp = side["created"][:19].replace(":", "").replace("-", "")
    assert snap.path.name == f"scimap_{stamp}_数字文创_100-mu_epsg4326.geojson.zip"
    with zipfile.ZipFile(snap.path) as zf:
        assert json.loads(zf.read("parcels.geojson"))["metadata"]["counts"] == side["counts"]


def test_html_snapshot_is_self_contained(data, tmp_path):
    from geo.render.assets import external_hosts
    snap = export.export(data, Filter(sectors=["研发孵化"]), "html", tmp_path)
    page = snap.path.read_text(encoding="utf-8")
    assert "/app/static" not in page and external_hosts(page) == set()
    assert "scimap-metadata" in page and "L.map(" in page


def test_empty_selection_is_refused_and_leaves_nothing(data, tmp_path):
    with pytest.raises(export.ExportError, match="selection is empty"):
        export.export(data, Filter(plans=["HTS"], districts=["渝中区"], zones=["town_xipeng"]), "gpkg", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_name_too_long_for_shapefile_is_refused_cleanly(data, tmp_path):
    import copy
    long = copy.copy(data)
    long.projects = data.projects.copy()
    long.projects.loc[long.projects.project_id == "HTS-T4-01", "name_zh"] = "国家质检基地" * 20  # 360 bytes
    with pytest.raises(export.ExportError, match=r"parcels feature P-HTS-T4-01: name_zh is 360 bytes"):
        export.export(long, Filter(), "shp", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_folder_gives_a_clear_message(data, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(export.ExportError, match="cannot create the output folder"):
        export.export(data, Filter(), "csv", blocker / "out")
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_cli_export(tmp_path):
    r = subprocess.run([sys.executable, "-m", "geo", "export", "--format", "gpkg", "--sector", "检验检测",
                        "--crs", "EPSG:4544", "-o", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "3 parcels" in r.stdout
    gpkg = next(tmp_path.glob("*.gpkg"))
    assert "Feature Count: 3" in _ogrinfo(gpkg, "parcels")
    bad = subprocess.run([sys.executable, "-m", "geo", "export", "--format", "kml", "--crs", "EPSG:4544", "-o",
                          str(tmp_path / "k")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "KML holds longitude/latitude only" in bad.stderr


def test_history_lists_and_compares(data, tmp_path):
    from geo.io import snapshots
    a = export.export(data, Filter(sectors=["检验检测"]), "gpkg", tmp_path)
    b = export.export(data, Filter(sectors=["检验检测", "数字文创"]), "geojson", tmp_path)
    lst = snapshots.list_snapshots(tmp_path)
    assert len(lst) == 2 and set(lst.format) == {"gpkg", "geojson"}
    diff = snapshots.compare(a.path, b.path)
    added = diff[(diff.layer == "parcels") & (diff.change == "added")]
    assert len(added) == 7 and not (diff.change == "removed").any()
    # a changed attribute and geometry are reported
    import copy

    from shapely.affinity import translate
    d2 = copy.copy(data)
    d2.parcels = data.parcels.copy()
    i = d2.parcels.index[d2.parcels.project_id == "HTS-T4-02"][0]
    d2.parcels.loc[i, "geometry"] = translate(d2.parcels.geometry[i], 0.001)
    d2.projects = data.projects.copy()
    d2.projects.loc[d2.projects.project_id == "HTS-T4-02", "output_target_yi"] = 12.0
    c = export.export(d2, Filter(sectors=["检验检测"]), "gpkg", tmp_path / "c")
    diff = snapshots.compare(a.path, c.path)
    row = diff[(diff.layer == "parcels") & (diff.id == "P-HTS-T4-02")].iloc[0]
    assert row.change == "changed" and "output_target_yi" in row.attributes and "geometry" in row.attributes
