"""Generate tests/import_corpus/: good files in every format and CRS, and ≥ 30 malformed or hostile
ones. Deterministic; run `python tests/make_import_corpus.py` to regenerate (the files are committed)."""

from __future__ import annotations

import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.affinity import translate
from shapely.geometry import LineString, Point, Polygon, box

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from geo.core.crs import WGS84, project  # noqa: E402
from geo.core.gcj02 import geom_to_gcj02  # noqa: E402

OUT = Path(__file__).resolve().parent / "import_corpus"
GOOD, BAD = OUT / "good", OUT / "bad"

# a "surveyed" boundary for HTS-T4-02 (高新区科创示范项目二期, 106 亩): the stored square moved 30 m east
# and trimmed to a rectangle of 106 亩 (an independent shape, not the schematic square)
CENTER = (106.3265, 29.5062)


def surveyed() -> Polygon:
    c = project(Point(*CENTER), "EPSG:4544")
    w = 300.0
    h = 106 * 10000 / 15 / w
    return project(box(c.x - w / 2, c.y - h / 2, c.x + w / 2, c.y + h / 2), WGS84, src="EPSG:4544")


def frame(geom, **props) -> gpd.GeoDataFrame:
    base = {"project_id": "HTS-T4-02", "name_zh": "高新区科创示范项目二期"}
    base.update(props)
    return gpd.GeoDataFrame([base], geometry=[geom], crs=WGS84)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    GOOD.mkdir(parents=True)
    BAD.mkdir(parents=True)
    g = frame(surveyed())
    # ---- good: every format and CRS
    g.to_file(GOOD / "wgs84.geojson", driver="GeoJSON")
    g.to_crs("EPSG:4490").to_file(GOOD / "cgcs2000.gpkg", driver="GPKG")
    g.to_crs("EPSG:4544").to_file(GOOD / "gk_cm105.gpkg", driver="GPKG")
    gk = g.to_crs("EPSG:4523")  # CGCS2000 3° zone 35: easting with the zone number prefixed
    gk.to_file(GOOD / "gk_zone35.gpkg", driver="GPKG")
    noprj = gk.copy()
    noprj.to_file(OUT / "tmp_zone35.shp", driver="ESRI Shapefile", encoding="UTF-8")
    with zipfile.ZipFile(GOOD / "gk_zone35_noprj.zip", "w") as zf:  # no .prj: the CRS must be guessed
        for ext in (".shp", ".shx", ".dbf", ".cpg"):
            zf.write(OUT / f"tmp_zone35{ext}", f"parcel{ext}")
    for f in OUT.glob("tmp_zone35.*"):
        f.unlink()
    shp = OUT / "shp"
    shp.mkdir()
    g.to_crs("EPSG:4544").to_file(shp / "parcel.shp", driver="ESRI Shapefile", encoding="UTF-8")
    with zipfile.ZipFile(GOOD / "shapefile.zip", "w") as zf:
        for f in sorted(shp.iterdir()):
            zf.write(f, f.name)
    shutil.rmtree(shp)
    gcj = g.copy()
    gcj["geometry"] = geom_to_gcj02(gcj.geometry.values)
    gcj.to_file(GOOD / "gcj02.geojson", driver="GeoJSON")  # declared WGS84 but really GCJ-02: user picks GCJ02
    g.to_file(GOOD / "wgs84.kml", driver="LIBKML")
    with zipfile.ZipFile(GOOD / "wgs84.kmz", "w") as zf:
        zf.write(GOOD / "wgs84.kml", "doc.kml")
    pd.DataFrame({"project_id": ["HTS-T4-02"], "name_zh": ["高新区科创示范项目二期"],
                  "wkt": [g.geometry.iloc[0].wkt]}).to_csv(GOOD / "wkt.csv", index=False)
    # CAD: the layer name carries the project id (DXF holds no attribute table)
    gpd.GeoDataFrame({"Layer": ["HTS-T4-02"]}, geometry=g.geometry.values, crs=WGS84).to_file(GOOD / "wgs84.dxf", driver="DXF")
    byname = frame(surveyed(), project_id="")  # no id: matched by name
    byname.to_file(GOOD / "by_name.geojson", driver="GeoJSON")

    # ---- bad: malformed or hostile (each must be rejected with a message; nothing stored changes)
    good_json = (GOOD / "wgs84.geojson").read_text(encoding="utf-8")
    w = lambda name, data: (BAD / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))  # noqa: E731
    w("empty.geojson", b"")
    w("truncated.geojson", good_json[: len(good_json) // 2])
    w("not_json.geojson", "this is not json at all")
    w("binary_garbage.gpkg", bytes(range(256)) * 40)
    w("wrong_suffix.exe", b"MZ\x90\x00")
    w("no_features.geojson", json.dumps({"type": "FeatureCollection", "features": []}))
    w("null_geometry.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"project_id": "HTS-T4-02"}, "geometry": None}]}))
    w("empty_polygon.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"project_id": "HTS-T4-02"}, "geometry": {"type": "Polygon", "coordinates": []}}]}))
    w("bad_coordinates.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"project_id": "HTS-T4-02"},
         "geometry": {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2]]]}}]}))
    frame(Point(*CENTER)).to_file(BAD / "point_not_polygon.geojson", driver="GeoJSON")
    frame(LineString([CENTER, (CENTER[0] + 0.01, CENTER[1])])).to_file(BAD / "line_not_polygon.geojson", driver="GeoJSON")
    frame(surveyed(), project_id="NOPE-99", name_zh="不存在的项目").to_file(BAD / "unknown_project.geojson", driver="GeoJSON")
    two = pd.concat([frame(surveyed()), frame(translate(surveyed(), 0.02))])
    gpd.GeoDataFrame(two, crs=WGS84).to_file(BAD / "duplicate_ids.geojson", driver="GeoJSON")
    frame(Polygon([(106.32, 29.50), (106.33, 29.51), (106.33, 29.50), (106.32, 29.51)])).to_file(
        BAD / "bowtie_line_only.geojson", driver="GeoJSON")
    frame(translate(surveyed(), 10.0, 10.0)).to_file(BAD / "far_away.geojson", driver="GeoJSON")  # outside Chongqing
    w("projected_no_crs.csv", "project_id,x,y\nHTS-T4-02,99999999,99999999\n")
    w("csv_no_geometry.csv", "project_id,name\nHTS-T4-02,x\n")
    w("csv_bad_numbers.csv", "project_id,lon,lat\nHTS-T4-02,东经106,北纬29\n")
    w("csv_bad_wkt.csv", "project_id,wkt\nHTS-T4-02,POLYGON((1 2, 3\n")
    w("csv_not_utf8.csv", b"project_id,name\n" + "项目".encode("gbk") + b",x\n")
    for name, member in (("zip_slip.zip", "../../evil.geojson"), ("zip_abs.zip", "/tmp/evil.geojson"),
                         ("zip_windows.zip", "C:/evil.geojson")):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(member, good_json)
        w(name, buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "no data here")
    w("zip_no_data.zip", buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("parcel.shp", (GOOD / "wgs84.geojson").read_bytes()[:100])
    w("zip_shp_without_dbf.zip", buf.getvalue())
    w("zip_corrupt.zip", b"PK\x03\x04" + b"\x00" * 50)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.geojson", b"0" * (210 * 1024 * 1024))
    w("zip_bomb.zip", buf.getvalue())
    w("kml_broken.kml", "<kml><Document><Placemark><Polygon><outerBoundaryIs>")
    w("kmz_not_zip.kmz", b"not a zip")
    w("gpkg_truncated.gpkg", (GOOD / "cgcs2000.gpkg").read_bytes()[:2048])
    w("dxf_garbage.dxf", "0\nSECTION\n2\nENTITIES\n0\nGARBAGE")
    # ambiguous name: matches several projects
    frame(surveyed(), project_id="", name_zh="金凤").to_file(BAD / "ambiguous_name.geojson", driver="GeoJSON")
    # a name that matches another project: wrong size, wrong district → flagged, not stored without confirmation
    frame(surveyed(), project_id="", name_zh="信创产业示范基地").to_file(BAD / "wrong_parcel_by_name.geojson", driver="GeoJSON")
    # hostile names: injection attempts (rejected because they match nothing)
    frame(surveyed(), project_id="<script>alert(1)</script>", name_zh="<img src=x onerror=alert(1)>").to_file(
        BAD / "html_injection.geojson", driver="GeoJSON")
    write_hostile(BAD)
    print(f"{len(list(GOOD.iterdir()))} good, {len(list(BAD.iterdir()))} bad files in {OUT}")


def write_hostile(folder: Path = BAD) -> list[Path]:
    """The small hostile files of issue 13 (tests.io.hostile_imports.SMALL): linked CRS, NaN, deep JSON,
    recursive GeoPackage views, duplicate, encrypted, damaged, lying, nested or remote zip members."""
    from tests.io.hostile_imports import SMALL

    return [make(folder) for make in SMALL]


if __name__ == "__main__":
    main()
